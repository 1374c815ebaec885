// Package journal reads systemd's journal without systemd: journal files (the binary
// format of /var/log/journal and /run/log/journal) and the text that "journalctl -o json" and
// "journalctl -o export" write. Each entry becomes one syslog-like line (see AppendLine), so the
// log parsers and rules treat a journald host like one that writes /var/log/auth.log.
//
// # Journal files
//
// Implemented from systemd's published "Journal File Format" description: a 272-byte (or older,
// shorter) header starting "LPKSHHRH", then 8-byte aligned objects, each with a 16-byte header
// (type, flags, size). Reader walks the objects in file order and takes every ENTRY object; an
// entry's items point at DATA objects whose payload is "FIELD=value". Entries are appended in
// order, so walking the file yields them oldest first without the entry arrays or hash tables.
//
// Incompatible header flags: compressed DATA payloads (XZ, LZ4, ZSTD) are decompressed; the
// keyed hash (systemd 246+) only changes hash values, which Reader does not need; compact mode
// (systemd 252+) uses 32-bit offsets in entries and 8 more bytes before a DATA payload. Any other
// incompatible flag makes Open fail with an error that names it. A file being written (state
// online) is read up to its last complete object; a damaged object ends the file with ErrCorrupt
// after the entries before it.
//
// # Lines
//
// An entry is written as rsyslog's high-precision format, which package logs reads:
//
//	2024-01-02T03:04:05.123456Z HOST IDENTIFIER[PID]: MESSAGE
//
// with the time from the entry's realtime clock (__REALTIME_TIMESTAMP), HOST from _HOSTNAME,
// IDENTIFIER from SYSLOG_IDENTIFIER or else _COMM, PID from SYSLOG_PID or else _PID. Control bytes
// in the message (a multi-line message's newlines) are written as rsyslog does, "#012", so one
// entry is one line.
package journal
