//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package host

import "syscall"

// openFileFlags refuse a symlink planted as the last component and keep a FIFO from blocking the
// open; the lstat done before opening already refuses both, these close the race.
const openFileFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

const openDirFlags = syscall.O_NOFOLLOW | syscall.O_DIRECTORY
