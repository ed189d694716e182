// Package api holds the published contract. It is embedded so that the binary serves, and
// validates requests against, exactly the file in this directory (the generated embedded spec
// omits the hand-written operations).
package api

import _ "embed"

// Spec is api/openapi.yaml.
//
//go:embed openapi.yaml
var Spec []byte
