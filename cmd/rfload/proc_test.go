package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command name with spaces and a parenthesis must not shift the fields.
	stat := "21304 (rf helper) x) S 1 21289 18040 0 -1 4194304 18709 0 1 0 8 5 0 0 20 0 8 0 778552 1912623104 8556\n"
	got, err := parseStatCPU(stat)
	if err != nil {
		t.Fatal(err)
	}
	if want := 13 * 10 * time.Millisecond; got != want {
		t.Errorf("utime+stime = %s, want %s", got, want)
	}
	for _, bad := range []string{"", "1 (x) S 1 2 3", "1 (x) S 1 2 3 4 5 6 7 8 9 10 u 5 0"} {
		if _, err := parseStatCPU(bad); err == nil {
			t.Errorf("parseStatCPU(%q) succeeded", bad)
		}
	}
}

func TestOwnProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc here")
	}
	if cpuTime(os.Getpid()) < 0 || rss(os.Getpid()) <= 0 {
		t.Error("could not read this process's CPU time or RSS")
	}
	if cpuTime(0) != -1 || rss(0) != 0 {
		t.Error("no pid should read as unknown")
	}
}
