// Package console serves the browser console, the React app built from web/ into dist/app and
// embedded in the binary. A build without Node.js has no dist/app and serves the placeholder
// page in dist/placeholder instead, so that go build and go test never need the console.
package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed all:dist
var dist embed.FS

// Embedded returns the console the binary was built with, or the placeholder page.
func Embedded() fs.FS {
	if _, err := fs.Stat(dist, "dist/app/index.html"); err == nil {
		app, _ := fs.Sub(dist, "dist/app") // a valid directory name: never fails
		return app
	}
	placeholder, _ := fs.Sub(dist, "dist/placeholder")
	return placeholder
}

// Cache classes. Hashed assets never change under their name; index.html names the current
// assets, so a browser must revalidate it on every load to pick up an upgrade.
const (
	cacheImmutable = "public, max-age=31536000, immutable"
	cacheIndex     = "no-cache"
	cacheOther     = "public, max-age=3600"
)

// contentSecurityPolicy allows the console's own scripts, styles and API only: no inline
// script, no other origin, no framing.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the console's files and falls back to index.html for client routes.
type Handler struct {
	files map[string]file
}

type file struct {
	body, gzipped []byte
	contentType   string
	etag          string
}

// New reads every file of the console into memory, compressed once where that helps.
func New(files fs.FS) (*Handler, error) {
	h := &Handler{files: map[string]file{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		f := file{body: body, contentType: contentType(name), etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		if compressible(f.contentType) && len(body) > 1024 {
			if f.gzipped, err = compress(body); err != nil {
				return err
			}
		}
		h.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the console's files: %w", err)
	}
	if _, ok := h.files["index.html"]; !ok {
		return nil, errors.New("the console has no index.html")
	}
	return h, nil
}

// Serves reports whether a request is the console's: a GET or HEAD outside /api/. Everything
// else belongs to the API, which answers unknown routes itself.
func Serves(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p != "/api" && !strings.HasPrefix(p, "/api/")
}

// ServeHTTP answers a file by its path, index.html for a client route (a path without an
// extension), and 404 for a missing file: a missing /assets/x.js must not come back as HTML,
// so that a tab left open across an upgrade notices and reloads.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	f, ok := h.files[name]
	cache := cacheOther
	switch {
	case ok && strings.HasPrefix(name, "assets/"):
		cache = cacheImmutable
	case !ok && (path.Ext(name) != "" || strings.HasPrefix(name, "assets/")):
		notFound(w, r.URL.Path)
		return
	case !ok || name == "index.html":
		name, f, cache = "index.html", h.files["index.html"], cacheIndex
	}
	header := w.Header()
	header.Set("Cache-Control", cache)
	header.Set("Content-Type", f.contentType)
	header.Set("X-Content-Type-Options", "nosniff")
	if name == "index.html" {
		header.Set("Content-Security-Policy", contentSecurityPolicy)
		header.Set("Referrer-Policy", "same-origin")
		header.Set("X-Frame-Options", "DENY")
	}
	body, etag := f.body, f.etag
	if f.gzipped != nil {
		header.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			// Each representation has its own tag: the compressed bytes are not the plain ones.
			body, etag = f.gzipped, strings.TrimSuffix(f.etag, `"`)+`-gz"`
			header.Set("Content-Encoding", "gzip")
		}
	}
	header.Set("ETag", etag)
	if matches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	header.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// matches reports whether an If-None-Match header names the tag (weak comparison, RFC 9110).
func matches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == "*" || candidate == etag {
			return true
		}
	}
	return false
}

func notFound(w http.ResponseWriter, p string) {
	problem := map[string]any{
		"type": "about:blank", "title": http.StatusText(http.StatusNotFound), "status": http.StatusNotFound,
		"detail": fmt.Sprintf("%s is not part of this version of the console: reload the page", p),
	}
	// The request id middleware in front of the console has already set it.
	if id := w.Header().Get("X-Request-Id"); id != "" {
		problem["request_id"] = id
	}
	body, _ := json.Marshal(problem)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(body)
}

func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

func compressible(contentType string) bool {
	for _, prefix := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(contentType, prefix) {
			return true
		}
	}
	return false
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

func compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(b); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
