// Package host turns a live system, or a disk image mounted somewhere, into host-artifact events
// (files, sockets, processes, installed packages) for the rule engine, and finds the log files that
// `keikai check` hands to the log analyzer.
//
// Safety model. Collection is read-only, always: nothing is ever written under the root, so a
// read-only mounted image works, and so does running as an ordinary user (what cannot be read is
// reported as a Problem). Suspicious artifacts — the files that rules name and the entries of the
// directories they list — are examined with lstat and readlink only: never opened, read, sourced or
// executed. A symlink is never followed out of the root: every path is resolved here, component by
// component, with absolute link targets re-rooted under the root and a bound on the number of links,
// so a link loop becomes a Problem rather than a hang (chkrootkit once ran /tmp/update as root
// through a path bug, CVE-2014-0476). The few files that are read (proc files, package databases,
// syslog configuration, OpenSSL headers) are opened only after that resolution, only when lstat says
// they are regular files, without following a final symlink and without blocking on a FIFO.
//
// A residual race remains on a live system: a directory component could be swapped for a symlink
// between resolution and use. On the live system the root is "/", so such a swap cannot lead outside
// the root, and suspicious files are still only lstat-ed, never opened.
package host
