package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

var errTooLarge = errors.New("field decompresses to more than 64 MiB")

// decompress returns the payload of a compressed DATA object.
func decompress(flags byte, payload []byte) ([]byte, error) {
	switch {
	case flags&objectCompressedLZ4 != 0:
		// systemd stores the decompressed size (64-bit little endian), then one LZ4 block.
		if len(payload) < 8 {
			return nil, errors.New("lz4 payload too short")
		}
		size := binary.LittleEndian.Uint64(payload)
		if size > maxPayload {
			return nil, errTooLarge
		}
		if size > uint64(len(payload))*255 {
			// An LZ4 block expands at most about 255 times; a larger claim is damage.
			return nil, fmt.Errorf("lz4 block of %d bytes cannot hold %d", len(payload)-8, size)
		}
		return decodeLZ4Block(payload[8:], int(size))
	case flags&objectCompressedXZ != 0:
		zr, err := xz.NewReader(bytes.NewReader(payload))
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return readBounded(zr)
	case flags&objectCompressedZstd != 0:
		zr, err := zstd.NewReader(bytes.NewReader(payload), zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxPayload*2))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		defer zr.Close()
		return readBounded(zr)
	}
	return nil, fmt.Errorf("unknown compression flags %#x", flags)
}

func readBounded(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxPayload+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxPayload {
		return nil, errTooLarge
	}
	return b, nil
}

// decodeLZ4Block decodes one raw LZ4 block (the LZ4 block format: sequences of a token, literal
// length, literals, a 2-byte match offset and match length) of exactly size bytes.
func decodeLZ4Block(src []byte, size int) ([]byte, error) {
	errCorrupt := errors.New("corrupt lz4 block")
	dst := make([]byte, 0, size)
	i := 0
	for i < len(src) {
		token := src[i]
		i++
		lit := int(token >> 4)
		if lit == 15 {
			for {
				if i >= len(src) {
					return nil, errCorrupt
				}
				c := src[i]
				i++
				lit += int(c)
				if lit > size {
					return nil, errCorrupt
				}
				if c != 255 {
					break
				}
			}
		}
		if lit > len(src)-i || len(dst)+lit > size {
			return nil, errCorrupt
		}
		dst = append(dst, src[i:i+lit]...)
		i += lit
		if i == len(src) {
			break // the last sequence has literals only
		}
		if i+2 > len(src) {
			return nil, errCorrupt
		}
		offset := int(src[i]) | int(src[i+1])<<8
		i += 2
		if offset == 0 || offset > len(dst) {
			return nil, errCorrupt
		}
		match := int(token&15) + 4
		if token&15 == 15 {
			for {
				if i >= len(src) {
					return nil, errCorrupt
				}
				c := src[i]
				i++
				match += int(c)
				if match > size {
					return nil, errCorrupt
				}
				if c != 255 {
					break
				}
			}
		}
		if len(dst)+match > size {
			return nil, errCorrupt
		}
		// Byte by byte: a match may overlap the bytes it produces (offset < match).
		from := len(dst) - offset
		for k := range match {
			dst = append(dst, dst[from+k])
		}
	}
	if len(dst) != size {
		return nil, fmt.Errorf("lz4 block gives %d bytes, header says %d", len(dst), size)
	}
	return dst, nil
}
