package mail

import (
	"bytes"
)

// uuBlock is a file that was uuencoded into a plain-text body, as mailers before MIME (and many
// after it, around 2000) attached log files.
type uuBlock struct {
	name string
	data []byte
	note string // why the block was decoded only in part, if it was
}

// findUUBlocks finds "begin 644 name" ... "end" blocks (and "begin-base64 644 name" ... "===="
// from uuencode -m) in text, decodes them, and returns the text without them.
func findUUBlocks(text []byte) (blocks []uuBlock, rest []byte) {
	if !bytes.Contains(text, []byte("begin ")) && !bytes.Contains(text, []byte("begin-base64 ")) {
		return nil, text
	}
	rest = make([]byte, 0, len(text))
	off := 0
	for off < len(text) {
		line, next := nextLine(text, off)
		name, b64, ok := uuBegin(line)
		if !ok {
			rest = append(rest, text[off:next]...)
			off = next
			continue
		}
		var block uuBlock
		if b64 {
			block, next = decodeBase64Block(text, next)
		} else {
			block, next = decodeUUBlock(text, next)
		}
		block.name = name
		blocks = append(blocks, block)
		off = next
	}
	return blocks, rest
}

func nextLine(text []byte, off int) (line []byte, next int) {
	nl := bytes.IndexByte(text[off:], '\n')
	if nl < 0 {
		return bytes.TrimRight(text[off:], "\r"), len(text)
	}
	return bytes.TrimRight(text[off:off+nl], "\r"), off + nl + 1
}

// uuBegin recognises "begin MODE NAME": MODE is three or four octal digits.
func uuBegin(line []byte) (name string, b64, ok bool) {
	rest, found := bytes.CutPrefix(line, []byte("begin "))
	if !found {
		if rest, found = bytes.CutPrefix(line, []byte("begin-base64 ")); !found {
			return "", false, false
		}
		b64 = true
	}
	sp := bytes.IndexByte(rest, ' ')
	if sp < 3 || sp > 4 {
		return "", false, false
	}
	for _, c := range rest[:sp] {
		if c < '0' || c > '7' {
			return "", false, false
		}
	}
	name = string(bytes.TrimSpace(rest[sp+1:]))
	if name == "" {
		return "", false, false
	}
	return name, b64, true
}

// decodeUUBlock decodes lines from off until "end". Each line starts with a length character
// (32 + count, with "`" for zero); a line that is not valid uuencode ends the block early.
func decodeUUBlock(text []byte, off int) (uuBlock, int) {
	var b uuBlock
	for off < len(text) {
		line, next := nextLine(text, off)
		if bytes.Equal(bytes.TrimRight(line, " "), []byte("end")) {
			return b, next
		}
		if len(line) == 0 {
			off = next
			continue
		}
		n := int((line[0] - ' ') & 0x3F)
		if n == 0 {
			off = next
			continue
		}
		body := line[1:]
		if !isUULine(body) {
			b.note = "uuencoded data ends without an \"end\" line; decoded up to the first line that is not uuencode"
			return b, off
		}
		for i := 0; i+1 < len(body) && n > 0; i += 4 {
			var c [4]byte
			for j := range 4 {
				if i+j < len(body) {
					c[j] = (body[i+j] - ' ') & 0x3F
				}
			}
			out := [3]byte{c[0]<<2 | c[1]>>4, c[1]<<4 | c[2]>>2, c[2]<<6 | c[3]}
			k := min(3, n)
			b.data = append(b.data, out[:k]...)
			n -= k
		}
		off = next
	}
	b.note = "uuencoded data ends without an \"end\" line"
	return b, off
}

func isUULine(body []byte) bool {
	for _, c := range body {
		if c < ' ' || c > '`' {
			return false
		}
	}
	return true
}

func decodeBase64Block(text []byte, off int) (uuBlock, int) {
	var b uuBlock
	var enc []byte
	for off < len(text) {
		line, next := nextLine(text, off)
		if bytes.Equal(line, []byte("====")) {
			b.data, _ = decodeBase64(enc)
			return b, next
		}
		enc = append(enc, line...)
		off = next
	}
	b.data, _ = decodeBase64(enc)
	b.note = "base64 block ends without a \"====\" line"
	return b, off
}
