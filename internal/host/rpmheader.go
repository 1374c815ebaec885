package host

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// rpmPackage is what keikai needs from one rpm header.
type rpmPackage struct {
	Name, Version, Release string
	Epoch                  string // decimal; empty when the package has none
}

// FullVersion is [epoch:]version[-release], the form rpm -q prints with an epoch.
func (p rpmPackage) FullVersion() string {
	v := p.Version
	if p.Release != "" {
		v += "-" + p.Release
	}
	if p.Epoch != "" {
		v = p.Epoch + ":" + v
	}
	return v
}

// rpm header tags and data types (lib/rpmtag.h).
const (
	rpmTagName    = 1000
	rpmTagVersion = 1001
	rpmTagRelease = 1002
	rpmTagEpoch   = 1003

	rpmTypeInt32       = 4
	rpmTypeString      = 6
	rpmTypeStringArray = 8
	rpmTypeI18NString  = 9
)

// Bounds rpm itself applies to headers it reads.
const (
	rpmMaxIndexEntries = 0xffff
	rpmMaxDataLength   = 0x0fffffff
)

var (
	errRPMHeader = errors.New("malformed rpm header")
	rpmMagic     = []byte{0x8e, 0xad, 0xe8, 0x01}
)

// parseRPMHeader reads NAME, VERSION, RELEASE and EPOCH from an rpm header blob as rpmdb.sqlite
// stores it: a count of index entries, the data length, the entries (tag, type, offset, count;
// big-endian 32-bit each) and the data. A header with the magic prefix of package files is accepted too.
func parseRPMHeader(blob []byte) (rpmPackage, error) {
	if len(blob) >= 8 && bytes.Equal(blob[:4], rpmMagic) {
		blob = blob[8:] // magic, version and 4 reserved bytes
	}
	if len(blob) < 8 {
		return rpmPackage{}, fmt.Errorf("%w: %d bytes", errRPMHeader, len(blob))
	}
	il := int64(binary.BigEndian.Uint32(blob[0:]))
	dl := int64(binary.BigEndian.Uint32(blob[4:]))
	if il < 1 || il > rpmMaxIndexEntries || dl > rpmMaxDataLength || 8+16*il+dl > int64(len(blob)) {
		return rpmPackage{}, fmt.Errorf("%w: %d entries, %d data bytes in a %d-byte blob", errRPMHeader, il, dl, len(blob))
	}
	index := blob[8 : 8+16*il]
	data := blob[8+16*il : 8+16*il+dl]
	var p rpmPackage
	for i := int64(0); i < il; i++ {
		entry := index[16*i : 16*i+16]
		tag := binary.BigEndian.Uint32(entry[0:])
		typ := binary.BigEndian.Uint32(entry[4:])
		off := int64(binary.BigEndian.Uint32(entry[8:]))
		var err error
		switch tag {
		case rpmTagName:
			p.Name, err = rpmString(data, typ, off)
		case rpmTagVersion:
			p.Version, err = rpmString(data, typ, off)
		case rpmTagRelease:
			p.Release, err = rpmString(data, typ, off)
		case rpmTagEpoch:
			p.Epoch, err = rpmInt32(data, typ, off)
		}
		if err != nil {
			return rpmPackage{}, fmt.Errorf("tag %d: %w", tag, err)
		}
	}
	if p.Name == "" || p.Version == "" {
		return rpmPackage{}, fmt.Errorf("%w: no name or version", errRPMHeader)
	}
	return p, nil
}

func rpmString(data []byte, typ uint32, off int64) (string, error) {
	if typ != rpmTypeString && typ != rpmTypeStringArray && typ != rpmTypeI18NString {
		return "", fmt.Errorf("%w: type %d where a string was expected", errRPMHeader, typ)
	}
	if off >= int64(len(data)) {
		return "", fmt.Errorf("%w: offset %d beyond the data", errRPMHeader, off)
	}
	s := data[off:]
	end := bytes.IndexByte(s, 0)
	if end < 0 {
		return "", fmt.Errorf("%w: unterminated string", errRPMHeader)
	}
	return string(s[:end]), nil
}

func rpmInt32(data []byte, typ uint32, off int64) (string, error) {
	if typ != rpmTypeInt32 {
		return "", fmt.Errorf("%w: type %d where an integer was expected", errRPMHeader, typ)
	}
	if off+4 > int64(len(data)) {
		return "", fmt.Errorf("%w: offset %d beyond the data", errRPMHeader, off)
	}
	return strconv.FormatUint(uint64(binary.BigEndian.Uint32(data[off:])), 10), nil
}

// parseRPMPkgsLine parses a line of /var/log/rpmpkgs, "openssl-0.9.6b-28.i386.rpm", into name,
// version and release: the last two dashes separate them, the last dot before ".rpm" the arch.
func parseRPMPkgsLine(line string) (rpmPackage, bool) {
	line = strings.TrimSpace(line)
	base, ok := strings.CutSuffix(line, ".rpm")
	if !ok {
		return rpmPackage{}, false
	}
	dot := strings.LastIndexByte(base, '.')
	if dot < 0 {
		return rpmPackage{}, false
	}
	nvr := base[:dot]
	relDash := strings.LastIndexByte(nvr, '-')
	if relDash <= 0 {
		return rpmPackage{}, false
	}
	verDash := strings.LastIndexByte(nvr[:relDash], '-')
	if verDash <= 0 {
		return rpmPackage{}, false
	}
	p := rpmPackage{Name: nvr[:verDash], Version: nvr[verDash+1 : relDash], Release: nvr[relDash+1:]}
	if p.Version == "" || p.Release == "" || strings.ContainsAny(line, " \t") {
		return rpmPackage{}, false
	}
	return p, true
}
