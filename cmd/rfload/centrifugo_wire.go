package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Centrifugo's unidirectional protocol, as its uni_sse transport speaks it (centrifugal.dev,
// "Unidirectional client protocol"; internal/unisse in Centrifugo 6.9.1): the connect command
// travels in the cf_connect query parameter, and each SSE event is a single "data:" line holding
// one JSON Push, with no event name and no id (Last-Event-ID is not supported). The first push
// is {"connect":{...}} listing the server-side subscriptions the token granted; publications
// follow as {"channel":"…","pub":{"data":…,"offset":…}}; {} is a ping.

// connectionToken is the JWT a subscriber connects with: sub names the user and channels makes
// the server subscribe the connection to them, with no subscribe command (which a
// unidirectional client cannot send).
func connectionToken(secret, user string, channels []string, expires time.Time) (string, error) {
	return jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub":      user,
		"channels": channels,
		"exp":      expires.Unix(),
	}).SignedString([]byte(secret))
}

// uniSSEURL is the stream's address with the connect command in its query.
func uniSSEURL(base, token string) (string, error) {
	connect, err := json.Marshal(map[string]string{"token": token})
	if err != nil {
		return "", err
	}
	return strings.TrimRight(base, "/") + "/connection/uni_sse?" + url.Values{"cf_connect": {string(connect)}}.Encode(), nil
}

// tenantChannel is account a's channel; the namespace "tenant" is declared in the config.
func tenantChannel(a int) string { return fmt.Sprintf("tenant:acct%d", a) }

// centrifugoPush is what one uni_sse event carried.
type centrifugoPush struct {
	connected  bool   // the connect push: the subscriptions are in place
	channel    string // of a publication
	summary    string // the summary in the publication's data
	disconnect string // why the server is closing the connection, when it says so
}

// parsePush reads one uni_sse event's data.
func parsePush(data string) (centrifugoPush, error) {
	var p struct {
		Connect    json.RawMessage `json:"connect"`
		Channel    string          `json:"channel"`
		Disconnect *struct {
			Code   int    `json:"code"`
			Reason string `json:"reason"`
		} `json:"disconnect"`
		Pub *struct {
			Data struct {
				Summary string `json:"summary"`
			} `json:"data"`
		} `json:"pub"`
	}
	if err := json.Unmarshal([]byte(data), &p); err != nil {
		return centrifugoPush{}, fmt.Errorf("centrifugo push: %w", err)
	}
	out := centrifugoPush{connected: p.Connect != nil, channel: p.Channel}
	if p.Pub != nil {
		out.summary = p.Pub.Data.Summary
	}
	if p.Disconnect != nil {
		out.disconnect = fmt.Sprintf("%d %s", p.Disconnect.Code, p.Disconnect.Reason)
	}
	return out, nil
}

// paddedData is the publication's data: the summary the latency matching uses, padded so that
// the JSON is size bytes long, the size of ResolutionFlow's handoff_created data, so that both
// servers move as many bytes per delivery. A size too small for the summary gives the shortest
// document.
func paddedData(summary string, size int) (json.RawMessage, error) {
	bare, err := json.Marshal(struct {
		Summary string `json:"summary"`
		Pad     string `json:"pad"`
	}{Summary: summary})
	if err != nil {
		return nil, err
	}
	pad := max(0, size-len(bare))
	// The pad is inserted between the quotes of "pad":"", and 'x' needs no escaping.
	return json.RawMessage(string(bare[:len(bare)-2]) + strings.Repeat("x", pad) + `"}`), nil
}
