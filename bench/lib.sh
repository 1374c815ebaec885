# Shared by the bench scripts: installing what they compare against from Debian's packages.
# Source it after defining die(); SCRIPT names the caller in messages.

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"
	elif command -v sudo >/dev/null 2>&1; then sudo "$@"
	else die "need root (or sudo) to install Debian packages: $*"
	fi
}

# apt_install PKG...: install Debian packages by name; refresh the package lists once if needed.
apt_install() {
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these yourself: $*"
	echo "$SCRIPT: installing Debian packages: $*" >&2
	if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 || true
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2 ||
			die "could not install $*"
	fi
}
