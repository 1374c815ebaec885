package host

// DefaultTargets returns every path that the bundled host rules (rules/host/*.yml) name, and the
// world-writable directories where intruders and worms leave files. A test keeps the paths in
// step with the rules.
func DefaultTargets() Targets {
	return Targets{
		Paths: []string{
			// Slapper (JPCERT-AT-2002-0006): the uuencoded source, the source, the binary.
			"/tmp/.uubugtraq",
			"/tmp/.bugtraq.c",
			"/tmp/.bugtraq",
			// Slapper variants: "unlock" (udp/4156) and "cinik" (udp/1978), with their helpers.
			"/tmp/.unlock",
			"/tmp/.unlock.c",
			"/tmp/.update.c",
			"/tmp/httpd",
			"/tmp/update",
			"/tmp/.cinik",
			"/tmp/.cinik.c",
			"/tmp/.cinik.go",
			"/tmp/.font-unix/.cinik",
			"/tmp/.b",
		},
		Dirs:  []string{"/tmp", "/var/tmp", "/dev/shm", "/tmp/.font-unix"},
		Depth: 2, // hidden directories in /tmp are where intruders keep their kits
	}
}
