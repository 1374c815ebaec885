package journal

import (
	"strconv"
	"time"
)

// AppendLine appends e as one syslog line in rsyslog's high-precision format (see the package
// documentation) and returns the extended buffer. The line has no trailing newline.
func AppendLine(dst []byte, e *Entry) []byte {
	t := time.UnixMicro(e.Realtime).UTC()
	dst = t.AppendFormat(dst, "2006-01-02T15:04:05.000000Z")
	dst = append(dst, ' ')
	host := e.Hostname
	if len(host) == 0 {
		host = []byte("localhost")
	}
	dst = appendWord(dst, host)
	dst = append(dst, ' ')
	ident := e.Identifier
	if len(ident) == 0 {
		ident = e.Comm
	}
	if len(ident) == 0 {
		ident = []byte("journal")
	}
	dst = appendWord(dst, ident)
	pid := e.SyslogPID
	if len(pid) == 0 {
		pid = e.PID
	}
	if _, ok := parseUint(pid); ok {
		dst = append(dst, '[')
		dst = append(dst, pid...)
		dst = append(dst, ']')
	}
	dst = append(dst, ':', ' ')
	return appendEscaped(dst, e.Message)
}

// appendWord appends a header word; a space or control byte would split or break the header, so
// it becomes '_'.
func appendWord(dst, w []byte) []byte {
	for _, c := range w {
		if c <= ' ' || c == 0x7f || c == '[' || c == ']' || c == ':' {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendEscaped appends the message with control bytes other than tab written as "#ooo" (octal),
// as rsyslog escapes them, so that a multi-line message stays one line.
func appendEscaped(dst, msg []byte) []byte {
	for _, c := range msg {
		if c < ' ' && c != '\t' || c == 0x7f {
			dst = append(dst, '#')
			if c < 0o100 {
				dst = append(dst, '0')
			}
			if c < 0o10 {
				dst = append(dst, '0')
			}
			dst = strconv.AppendUint(dst, uint64(c), 8)
			continue
		}
		dst = append(dst, c)
	}
	return dst
}
