package main

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestParsePush(t *testing.T) {
	// As Centrifugo 6.9.1 sent them over uni_sse.
	for _, c := range []struct {
		data string
		want centrifugoPush
	}{
		{`{"connect":{"client":"acf0","version":"0.0.0 OSS","subs":{"tenant:acct7":{}},"expires":true,"ttl":3600,"ping":25,"session":"d499"}}`, centrifugoPush{connected: true}},
		{`{"channel":"tenant:acct7","pub":{"data":{"summary":"load 3","pad":"xx"},"offset":4}}`, centrifugoPush{channel: "tenant:acct7", summary: "load 3"}},
		{`{}`, centrifugoPush{}}, // a ping
		{`{"disconnect":{"code":3008,"reason":"slow"}}`, centrifugoPush{disconnect: "3008 slow"}},
		{`{"channel":"tenant:acct7","join":{"info":{"user":"u"}}}`, centrifugoPush{channel: "tenant:acct7"}},
	} {
		got, err := parsePush(c.data)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parsePush(%s) = %+v, %v; want %+v", c.data, got, err, c.want)
		}
	}
	if _, err := parsePush("not json"); err == nil {
		t.Error("broken push accepted")
	}
}

func TestConnectionToken(t *testing.T) {
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	signed, err := connectionToken("bench-secret", "engineer-7-0", []string{"tenant:acct7"}, exp)
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{}
	_, err = jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired()).
		ParseWithClaims(signed, claims, func(*jwt.Token) (any, error) { return []byte("bench-secret"), nil })
	if err != nil {
		t.Fatal(err)
	}
	if sub, _ := claims.GetSubject(); sub != "engineer-7-0" {
		t.Errorf("sub = %q", sub)
	}
	if got, _ := claims.GetExpirationTime(); !got.Equal(exp) {
		t.Errorf("exp = %v, want %v", got, exp)
	}
	if ch, _ := claims["channels"].([]any); len(ch) != 1 || ch[0] != "tenant:acct7" {
		t.Errorf("channels = %v", claims["channels"])
	}
	if _, err := jwt.Parse(signed, func(*jwt.Token) (any, error) { return []byte("other"), nil }); err == nil {
		t.Error("token verified with the wrong secret")
	}
}

func TestUniSSEURL(t *testing.T) {
	u, err := uniSSEURL("http://127.0.0.1:8000/", "a.b+c")
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Path != "/connection/uni_sse" || parsed.Query().Get("cf_connect") != `{"token":"a.b+c"}` {
		t.Errorf("url %s", u)
	}
}

func TestPaddedData(t *testing.T) {
	for _, size := range []int{448, 560, 1} {
		data, err := paddedData(`load "7"`, size)
		if err != nil {
			t.Fatal(err)
		}
		var d struct{ Summary, Pad string }
		if err := json.Unmarshal(data, &d); err != nil || d.Summary != `load "7"` || strings.Trim(d.Pad, "x") != "" {
			t.Errorf("size %d: %s (%v)", size, data, err)
		}
		if size > 40 && len(data) != size {
			t.Errorf("size %d: got %d bytes", size, len(data))
		}
	}
}
