package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat. The kernel reports them in
// USER_HZ, which is 100 on every architecture Go supports on Linux (getconf CLK_TCK); reading it
// through sysconf would need cgo.
const clockTick = 10 * time.Millisecond

// rss is a process's resident memory in bytes, or 0 when it cannot be read.
func rss(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// settledRSS is a process's resident memory once it stops moving: four readings half a second
// apart within 1 MiB of each other, or whatever it is after 20 s.
func settledRSS(ctx context.Context, pid int) int64 {
	if pid <= 0 {
		return 0
	}
	var seen []int64
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(500 * time.Millisecond) {
		seen = append(seen, rss(pid))
		if n := len(seen); n >= 4 && slices.Max(seen[n-4:])-slices.Min(seen[n-4:]) <= 1<<20 {
			break
		}
	}
	return rss(pid)
}

// cpuTime is the CPU a process has used so far (user and system), or -1 when it cannot be read.
func cpuTime(pid int) time.Duration {
	if pid <= 0 {
		return -1
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	d, err := parseStatCPU(string(b))
	if err != nil {
		return -1
	}
	return d
}

// parseStatCPU reads utime+stime from the text of /proc/PID/stat. The command name (field 2)
// is in parentheses and may itself hold spaces and parentheses, so the fields are counted from
// the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	end := strings.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("no command name in %q", stat)
	}
	// After the name come state (field 3) … utime (field 14) and stime (field 15).
	f := strings.Fields(stat[end+1:])
	const utime, stime = 14 - 3, 15 - 3
	if len(f) <= stime {
		return 0, fmt.Errorf("only %d fields after the command name", len(f))
	}
	var ticks int64
	for _, s := range []string{f[utime], f[stime]} {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("cpu ticks %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}
