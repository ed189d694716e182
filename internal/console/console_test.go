package console

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

var build = fstest.MapFS{
	"index.html":                 {Data: []byte(`<!doctype html><script type="module" src="/assets/index-3f2a.js"></script>`)},
	"assets/index-3f2a.js":       {Data: bytes.Repeat([]byte("console.log('the console');\n"), 100)},
	"assets/queue-9c1b.css":      {Data: []byte("body{}")},
	"favicon.svg":                {Data: []byte("<svg/>")},
	"robots.txt":                 {Data: []byte("User-agent: *\nDisallow: /\n")},
	"assets/nested/font-77.woff": {Data: []byte("wOFF")},
}

func TestServingRules(t *testing.T) {
	t.Parallel()
	h, err := New(build)
	if err != nil {
		t.Fatal(err)
	}
	index := string(build["index.html"].Data)
	for _, tc := range []struct {
		name, method, path string
		status             int
		cache, body, ctype string
		csp                bool
	}{
		{"the root is index.html, revalidated on every load", "GET", "/", 200, cacheIndex, index, "text/html", true},
		{"index.html by name", "GET", "/index.html", 200, cacheIndex, index, "text/html", true},
		{"a client route falls back to index.html", "GET", "/queue", 200, cacheIndex, index, "text/html", true},
		{"a nested client route with a uuid falls back too", "GET", "/escalations/0b8f2c52-2f55-4a9f-9d8e-0f0e7d0f5a11", 200, cacheIndex, index, "text/html", true},
		{"HEAD of a client route", "HEAD", "/sessions", 200, cacheIndex, "", "text/html", true},
		{"a hashed asset is immutable for a year", "GET", "/assets/queue-9c1b.css", 200, cacheImmutable, "body{}", "text/css", false},
		{"a nested hashed asset", "GET", "/assets/nested/font-77.woff", 200, cacheImmutable, "wOFF", "font/woff", false},
		{"another file gets a short max-age", "GET", "/favicon.svg", 200, cacheOther, "<svg/>", "image/svg+xml", false},
		{"a missing asset is 404, never index.html", "GET", "/assets/index-old.js", 404, "no-store", "", "application/problem+json", false},
		{"a missing file with an extension is 404", "GET", "/missing.png", 404, "no-store", "", "application/problem+json", false},
		{"anything missing under /assets is 404, extension or not", "GET", "/assets/chunk", 404, "no-store", "", "application/problem+json", false},
		{"a path climbing out of the build is cleaned", "GET", "/../../etc/passwd", 200, cacheIndex, index, "text/html", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
			res := rec.Result()
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tc.status)
			}
			if got := res.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, tc.ctype) {
				t.Errorf("Content-Type %q, want %s", got, tc.ctype)
			}
			if got := res.Header.Get("Content-Security-Policy") != ""; got != tc.csp {
				t.Errorf("Content-Security-Policy present = %v, want %v", got, tc.csp)
			}
			body, _ := io.ReadAll(res.Body)
			if tc.status == 200 && string(body) != tc.body {
				t.Errorf("body %q, want %q", body, tc.body)
			}
		})
	}
}

func TestOnlyGetAndHeadOutsideTheAPIAreTheConsoles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		method, path string
		console      bool
	}{
		{"GET", "/", true},
		{"GET", "/queue", true},
		{"HEAD", "/assets/a.js", true},
		{"GET", "/api/v1/unknown", false},
		{"GET", "/api", false},
		{"GET", "/apiary", true},
		{"POST", "/queue", false},
		{"DELETE", "/", false},
	} {
		if got := Serves(httptest.NewRequest(tc.method, tc.path, nil)); got != tc.console {
			t.Errorf("%s %s: console = %v, want %v", tc.method, tc.path, got, tc.console)
		}
	}
}

func TestCompressionAndRevalidation(t *testing.T) {
	t.Parallel()
	h, err := New(build)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, headers ...string) *http.Response {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	t.Run("a large script is sent gzipped to a client that accepts it", func(t *testing.T) {
		res := get("/assets/index-3f2a.js", "Accept-Encoding", "br, gzip")
		if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("Vary") != "Accept-Encoding" {
			t.Fatalf("headers %v", res.Header)
		}
		zr, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if !bytes.Equal(plain, build["assets/index-3f2a.js"].Data) {
			t.Error("the gzipped body is not the file")
		}
	})
	t.Run("and plain to one that does not", func(t *testing.T) {
		res := get("/assets/index-3f2a.js", "Accept-Encoding", "gzip;q=0")
		if res.Header.Get("Content-Encoding") != "" {
			t.Errorf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
		}
	})
	t.Run("index.html revalidates with its ETag", func(t *testing.T) {
		etag := get("/").Header.Get("ETag")
		if res := get("/queue", "If-None-Match", etag); etag == "" || res.StatusCode != http.StatusNotModified {
			t.Errorf("revalidation with %q answered %d, want 304", etag, res.StatusCode)
		}
		if res := get("/queue", "If-None-Match", `"other", W/`+etag); res.StatusCode != http.StatusNotModified {
			t.Errorf("a list with a weak match answered %d, want 304", res.StatusCode)
		}
		if res := get("/", "If-None-Match", "*"); res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match: * answered %d, want 304", res.StatusCode)
		}
		if res := get("/", "If-None-Match", `"stale"`); res.StatusCode != http.StatusOK {
			t.Errorf("a stale tag answered %d, want 200", res.StatusCode)
		}
	})
	t.Run("the gzipped and the plain script have different tags", func(t *testing.T) {
		plain := get("/assets/index-3f2a.js").Header.Get("ETag")
		zipped := get("/assets/index-3f2a.js", "Accept-Encoding", "gzip").Header.Get("ETag")
		if plain == zipped || plain == "" || zipped == "" {
			t.Errorf("plain %q, gzipped %q", plain, zipped)
		}
		if res := get("/assets/index-3f2a.js", "If-None-Match", plain, "Accept-Encoding", "gzip"); res.StatusCode != http.StatusOK {
			t.Errorf("the plain tag revalidated the gzipped body: %d", res.StatusCode)
		}
	})
}

// The binary always serves something at /: the built console, or the placeholder page.
func TestEmbeddedConsoleHasAnIndex(t *testing.T) {
	t.Parallel()
	if _, err := New(Embedded()); err != nil {
		t.Fatal(err)
	}
}
