package host

import (
	"bufio"
	"bytes"
	"path"
	"sort"
	"strings"
)

// opensslLibDirs are where OpenSSL builds outside a package manager usually land; "*" is one
// directory level (/opt/apache/lib, /usr/local/ssl/lib).
var opensslLibDirs = []string{
	"/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/local/lib", "/usr/local/ssl/lib",
	"/opt/*/lib", "/usr/local/*/lib",
}

// opensslHeaderFiles record the version of the OpenSSL that software was built against.
var opensslHeaderFiles = []string{
	"/usr/local/ssl/include/openssl/opensslv.h",
	"/usr/local/include/openssl/opensslv.h",
	"/usr/include/openssl/opensslv.h",
}

const (
	libDirDepth        = 2 // /usr/lib and /usr/lib/x86_64-linux-gnu, /usr/lib/i686/cmov
	maxHeaderFileBytes = 1 << 20
)

// opensslLibraries emits one openssl package per library directory and version found by file name.
func (c *collector) opensslLibraries() {
	seenDirs := make(map[string]bool)
	for _, pattern := range opensslLibDirs {
		for _, dir := range c.expandStar(pattern) {
			if c.ctx.Err() != nil {
				return
			}
			c.scanLibDir(dir, libDirDepth, seenDirs)
		}
	}
}

// expandStar expands a single "*" path component to the directories present under the root.
func (c *collector) expandStar(pattern string) []string {
	before, after, ok := strings.Cut(pattern, "/*/")
	if !ok {
		return []string{pattern}
	}
	hp, err := c.r.resolve(before, true)
	if err != nil {
		return nil
	}
	f, err := c.r.openDir(hp)
	if err != nil {
		return nil
	}
	defer f.Close()
	names, _ := f.Readdirnames(maxDirEntries)
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		out = append(out, path.Join(before, n, after))
	}
	return out
}

func (c *collector) scanLibDir(dir string, depth int, seenDirs map[string]bool) {
	hp, err := c.r.resolve(dir, true)
	if err != nil {
		return // most of these directories do not exist on a given system
	}
	if seenDirs[hp] { // /lib -> usr/lib on merged-/usr systems
		return
	}
	seenDirs[hp] = true
	f, err := c.r.openDir(hp)
	if err != nil {
		if !isAbsent(err) {
			c.report(AreaPackages, dir, err)
		}
		return
	}
	entries, err := f.ReadDir(maxDirEntries)
	f.Close()
	if err != nil && len(entries) == 0 {
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	versions := make(map[string]bool)
	for _, de := range entries {
		name := de.Name()
		if de.IsDir() {
			if depth > 1 {
				c.scanLibDir(path.Join(dir, name), depth-1, seenDirs)
			}
			continue
		}
		version, isLib := opensslVersionFromLibName(name)
		if !isLib || versions[version] {
			continue // libcrypto and libssl of one build say the same
		}
		versions[version] = true
		file := path.Join(dir, name)
		if version == "" {
			c.emit(packageEvent("openssl", "", "file", "openssl of unknown version: static library "+file),
				"バージョン不明の openssl: 静的ライブラリ "+file)
			continue
		}
		c.emit(packageEvent("openssl", version, "file",
			"openssl "+version+" by the name of library "+file+" (a soname does not tell the patch letter: "+version+" may be any "+version+" release)"),
			"ライブラリ "+file+" の名前からみた openssl "+version+" (soname からはパッチ文字がわかりません: "+version+" 系のどのリリースでもありえます)")
	}
}

// opensslVersionFromLibName reads the version an OpenSSL library's file name carries:
// libssl.so.0.9.6 → 0.9.6, libcrypto.so.0.9.6b → 0.9.6b, libssl.so.3 → 3. Distribution sonames
// that are not upstream versions (Red Hat's libssl.so.2, .4, .6, .10) are not libraries of a known
// version, so they are skipped. A static library (libssl.a) is a library of unknown version.
func opensslVersionFromLibName(name string) (version string, ok bool) {
	if name == "libssl.a" || name == "libcrypto.a" {
		return "", true
	}
	var rest string
	switch {
	case strings.HasPrefix(name, "libssl.so."):
		rest = name[len("libssl.so."):]
	case strings.HasPrefix(name, "libcrypto.so."):
		rest = name[len("libcrypto.so."):]
	default:
		return "", false
	}
	if rest == "" || rest[0] < '0' || rest[0] > '9' {
		return "", false
	}
	for i := 0; i < len(rest); i++ {
		ch := rest[i]
		if !(ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch == '.' || ch == '-' || ch == '_') {
			return "", false
		}
	}
	if !strings.Contains(rest, ".") && rest != "3" {
		return "", false
	}
	return rest, true
}

// opensslHeaders emits the version an installed opensslv.h declares.
func (c *collector) opensslHeaders() {
	seen := make(map[string]bool)
	for _, target := range opensslHeaderFiles {
		hp, err := c.r.resolve(target, true)
		if err != nil || seen[hp] {
			continue
		}
		seen[hp] = true
		data, err := c.r.readRegular(hp, maxHeaderFileBytes)
		if err != nil {
			if !isAbsent(err) {
				c.report(AreaPackages, target, err)
			}
			continue
		}
		version, text, ok := parseOpenSSLVersionHeader(data)
		if !ok {
			continue
		}
		c.emit(packageEvent("openssl", version, "file",
			"openssl "+version+" declared by "+target+" ("+text+"; a header can outlive the library it came with)"),
			target+" が宣言する openssl "+version+" ("+text+"。ヘッダは元のライブラリが消えた後も残ることがあります)")
	}
}

// parseOpenSSLVersionHeader finds the version in opensslv.h: OPENSSL_VERSION_TEXT
// "OpenSSL 0.9.6d 9 May 2002" up to 1.1.1, OPENSSL_VERSION_STR "3.0.2" from 3.0 on. The first
// definition wins (the FIPS variant, when present, comes in an #ifdef with "-fips" appended).
func parseOpenSSLVersionHeader(data []byte) (version, text string, ok bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 64*1024)
	var versionStr string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(strings.TrimSpace(line[1:]))
		if len(fields) < 3 || fields[0] != "define" {
			continue
		}
		value, quoted := quotedValue(line)
		if !quoted {
			continue
		}
		switch fields[1] {
		case "OPENSSL_VERSION_TEXT":
			words := strings.Fields(value)
			if len(words) >= 2 && words[0] == "OpenSSL" && startsWithDigit(words[1]) {
				return strings.TrimSuffix(words[1], "-fips"), "OPENSSL_VERSION_TEXT \"" + value + "\"", true
			}
		case "OPENSSL_VERSION_STR":
			if versionStr == "" && startsWithDigit(value) {
				versionStr = value
			}
		}
	}
	if versionStr != "" {
		return versionStr, "OPENSSL_VERSION_STR \"" + versionStr + "\"", true
	}
	return "", "", false
}

// quotedValue returns the first double-quoted string on a line.
func quotedValue(line string) (string, bool) {
	start := strings.IndexByte(line, '"')
	if start < 0 {
		return "", false
	}
	end := strings.IndexByte(line[start+1:], '"')
	if end < 0 {
		return "", false
	}
	return line[start+1 : start+1+end], true
}

func startsWithDigit(s string) bool { return s != "" && s[0] >= '0' && s[0] <= '9' }
