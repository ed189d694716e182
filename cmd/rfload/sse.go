package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// sseEvent is one dispatched event of a text/event-stream.
type sseEvent struct {
	event string // "" when the server named none (Centrifugo's uni_sse never does)
	id    string // the last event id seen so far, as a browser would send it on reconnect
	data  string
}

// maxSSELine bounds one line: a handoff carries its session's steps, which can exceed the
// scanner's 64 KiB default.
const maxSSELine = 1 << 20

// readSSE calls fn with each event of the stream until it ends, following the WHATWG parsing
// rules that both servers rely on: "field: value" lines, one space after the colon dropped,
// comment lines (heartbeats) skipped, data lines joined by "\n", and an event dispatched at the
// blank line only when it has data. Lines may end in "\r\n" (Centrifugo opens with one).
func readSSE(r io.Reader, fn func(sseEvent)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxSSELine)
	var (
		cur     sseEvent
		data    []string
		lastID  string
		hasData bool
	)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if hasData {
				cur.id, cur.data = lastID, strings.Join(data, "\n")
				fn(cur)
			}
			cur, data, hasData = sseEvent{}, data[:0], false
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "": // a comment
		case "event":
			cur.event = value
		case "id":
			lastID = value
		case "data":
			data, hasData = append(data, value), true
		}
	}
	return sc.Err()
}

// streamSSE sends req and reads the event stream it answers until it ends; any status but 200
// is an error that quotes the server's body.
func streamSSE(c *http.Client, req *http.Request, what string, fn func(sseEvent)) error {
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: %d %s", what, resp.StatusCode, body)
	}
	return readSSE(resp.Body, fn)
}
