package main

import (
	"reflect"
	"strings"
	"testing"
)

func TestReadSSE(t *testing.T) {
	// ResolutionFlow's framing, then Centrifugo's (a leading CRLF, data only).
	stream := "retry: 2000\nevent: ready\nid: 41\ndata: {\"last_event_id\":41}\n\n" +
		": heartbeat\n\n" +
		"event: handoff_created\nid: 42\ndata: {\"a\":1}\n\n" +
		"\r\ndata: {\"connect\":{}}\r\n\r\n" +
		"data:two\ndata: lines\n\n" +
		"event: ignored-without-data\n\n" +
		"data: {}\n\n"
	var got []sseEvent
	if err := readSSE(strings.NewReader(stream), func(e sseEvent) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	want := []sseEvent{
		{event: "ready", id: "41", data: `{"last_event_id":41}`},
		{event: "handoff_created", id: "42", data: `{"a":1}`},
		{id: "42", data: `{"connect":{}}`}, // the id persists, as a browser's Last-Event-ID does
		{id: "42", data: "two\nlines"},
		{id: "42", data: "{}"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events\n got %q\nwant %q", got, want)
	}
}

func TestHandoffSummary(t *testing.T) {
	s, err := handoffSummary(`{"id":42,"type":"handoff_created","handoff":{"summary":"load 7","status":"open"}}`)
	if err != nil || s != "load 7" {
		t.Errorf("handoffSummary = %q, %v", s, err)
	}
	if _, err := handoffSummary("{"); err == nil {
		t.Error("broken JSON accepted")
	}
}
