package httpapi

import (
	"bytes"
	"html/template"
	"maps"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/resolutionflow/resolutionflow/internal/contract"
)

// The API reference is rendered once, at start-up, from the contract itself: no script, no CDN,
// nothing to fall out of date.

type docsOperation struct {
	Method, Path, ID, Summary, Description, Role string
	Public                                       bool
	Params                                       []docsParam
	Body                                         string
	Responses                                    []docsResponse
}

type docsParam struct{ Name, In, Type, Description string }

type docsResponse struct{ Status, Description, Schema string }

type docsTag struct {
	Name, Description string
	Operations        []docsOperation
}

type docsSchema struct {
	Name, Description string
	Properties        []docsParam
}

var docsTemplate = template.Must(template.New("docs").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}} {{.Version}}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2433;background:#f7f8fa}
main{max-width:60rem;margin:0 auto;padding:1rem 1.5rem 4rem}
h1{margin-bottom:.2rem} h2{border-bottom:2px solid #d8dde6;padding-bottom:.3rem;margin-top:2.5rem}
.op{background:#fff;border:1px solid #d8dde6;border-radius:6px;padding:.8rem 1rem;margin:1rem 0}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}
.GET{color:#1a7f37}.POST{color:#0550ae}.PUT,.PATCH{color:#9a6700}.DELETE{color:#cf222e}
code,.path{font-family:ui-monospace,monospace} .role{float:right;font-size:.85em;color:#57606a}
table{border-collapse:collapse;margin:.4rem 0;width:100%} td,th{border-top:1px solid #eaeef2;padding:.2rem .5rem;text-align:left;vertical-align:top}
.desc{white-space:pre-wrap} nav a{margin-right:1rem}
</style></head><body><main>
<h1>{{.Title}}</h1><p>Version {{.Version}} · <a href="/openapi.yaml">openapi.yaml</a></p>
<div class="desc">{{.Description}}</div>
<nav>{{range .Tags}}<a href="#tag-{{.Name}}">{{.Name}}</a>{{end}}<a href="#schemas">schemas</a></nav>
{{range .Tags}}<h2 id="tag-{{.Name}}">{{.Name}}</h2><p>{{.Description}}</p>
{{range .Operations}}<div class="op" id="{{.ID}}">
<span class="role">{{if .Public}}public{{else}}{{.Role}}+{{end}} · <code>{{.ID}}</code></span>
<span class="m {{.Method}}">{{.Method}}</span> <span class="path">{{.Path}}</span>
<p><strong>{{.Summary}}</strong></p>{{if .Description}}<div class="desc">{{.Description}}</div>{{end}}
{{if .Params}}<table><tr><th>parameter</th><th>in</th><th>type</th><th></th></tr>{{range .Params}}<tr><td><code>{{.Name}}</code></td><td>{{.In}}</td><td>{{.Type}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}
{{if .Body}}<p>Body: <a href="#schema-{{.Body}}"><code>{{.Body}}</code></a></p>{{end}}
<table><tr><th>status</th><th>meaning</th><th>body</th></tr>{{range .Responses}}<tr><td>{{.Status}}</td><td>{{.Description}}</td><td>{{if .Schema}}<a href="#schema-{{.Schema}}"><code>{{.Schema}}</code></a>{{end}}</td></tr>{{end}}</table>
</div>{{end}}{{end}}
<h2 id="schemas">Schemas</h2>
{{range .Schemas}}<div class="op" id="schema-{{.Name}}"><strong><code>{{.Name}}</code></strong><div class="desc">{{.Description}}</div>
{{if .Properties}}<table>{{range .Properties}}<tr><td><code>{{.Name}}</code></td><td>{{.Type}}</td><td>{{.In}}</td><td>{{.Description}}</td></tr>{{end}}</table>{{end}}</div>{{end}}
</main></body></html>
`))

func renderDocs(doc *openapi3.T) ([]byte, error) {
	byTag := map[string]*docsTag{}
	var tags []*docsTag
	for _, t := range doc.Tags {
		dt := &docsTag{Name: t.Name, Description: t.Description}
		byTag[t.Name] = dt
		tags = append(tags, dt)
	}
	ops := contract.Operations(doc)
	slices.SortFunc(ops, func(a, b contract.Operation) int {
		return strings.Compare(a.Path+" "+methodOrder(a.Method), b.Path+" "+methodOrder(b.Method))
	})
	for _, o := range ops {
		dop := docsOperation{
			Method: o.Method, Path: o.Path, ID: o.ID, Summary: o.Op.Summary, Description: o.Op.Description,
			Role: o.RequiredRole, Public: o.Public,
		}
		params := append(openapi3.Parameters{}, doc.Paths.Value(o.Path).Parameters...)
		for _, p := range append(params, o.Op.Parameters...) {
			dop.Params = append(dop.Params, docsParam{Name: p.Value.Name, In: p.Value.In, Type: schemaType(p.Value.Schema), Description: p.Value.Description})
		}
		if rb := o.Op.RequestBody; rb != nil {
			for _, mt := range rb.Value.Content {
				dop.Body = refName(mt.Schema)
			}
		}
		for _, status := range slices.Sorted(maps.Keys(o.Op.Responses.Map())) {
			r := o.Op.Responses.Value(status).Value
			dr := docsResponse{Status: status, Description: deref(r.Description)}
			for _, mt := range r.Content {
				dr.Schema = refName(mt.Schema)
			}
			dop.Responses = append(dop.Responses, dr)
		}
		if len(o.Op.Tags) > 0 && byTag[o.Op.Tags[0]] != nil {
			byTag[o.Op.Tags[0]].Operations = append(byTag[o.Op.Tags[0]].Operations, dop)
		}
	}
	var schemas []docsSchema
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		s := doc.Components.Schemas[name].Value
		ds := docsSchema{Name: name, Description: s.Description}
		if len(s.Enum) > 0 {
			ds.Description = strings.TrimSpace(ds.Description + " One of: " + enumList(s.Enum))
		}
		for _, prop := range slices.Sorted(maps.Keys(s.Properties)) {
			req := ""
			if slices.Contains(s.Required, prop) {
				req = "required"
			}
			ds.Properties = append(ds.Properties, docsParam{Name: prop, Type: schemaType(s.Properties[prop]), In: req, Description: s.Properties[prop].Value.Description})
		}
		schemas = append(schemas, ds)
	}
	var buf bytes.Buffer
	err := docsTemplate.Execute(&buf, map[string]any{
		"Title": doc.Info.Title, "Version": doc.Info.Version, "Description": doc.Info.Description, "Tags": tags, "Schemas": schemas,
	})
	return buf.Bytes(), err
}

func methodOrder(m string) string {
	return map[string]string{"GET": "1", "POST": "2", "PUT": "3", "PATCH": "4", "DELETE": "5"}[m]
}

func refName(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	return ""
}

func schemaType(s *openapi3.SchemaRef) string {
	if s == nil || s.Value == nil {
		return ""
	}
	if name := refName(s); name != "" {
		return name
	}
	t := strings.Join(s.Value.Type.Slice(), "|")
	if s.Value.Format != "" {
		t += " (" + s.Value.Format + ")"
	}
	if s.Value.Items != nil {
		t += " of " + schemaType(s.Value.Items)
	}
	return t
}

func enumList(values []any) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i], _ = v.(string)
	}
	return strings.Join(parts, ", ")
}
