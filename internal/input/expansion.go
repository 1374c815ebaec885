package input

import (
	"fmt"
	"io"
)

// A compressed input that expands beyond bombRatio once more than bombMinBytes came out of it is
// most likely a decompression bomb (a megabyte of gzip making a billion empty lines): it is still
// read, since the reader is bounded, but the person is told why the run takes so long. Deflate
// peaks at 1032:1 and the compressed count includes the decoder's read-ahead, so a gzip bomb
// shows 500:1 and more from a few hundred megabytes on; logs compress 5-50:1, the most repetitive
// a few hundred.
const (
	bombRatio    = 500
	bombMinBytes = 100 << 20
)

// expansionWatch counts the decompressed bytes of a source and warns once when they outgrow the
// compressed bytes read so far by more than bombRatio.
type expansionWatch struct {
	r          io.Reader
	compressed *countingReader
	warn       func(Warning)
	src        *Source
	out        int64
	warned     bool
}

func (e *expansionWatch) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	e.out += int64(n)
	if !e.warned && e.out > bombMinBytes && e.out > bombRatio*max(e.compressed.total, 1) {
		e.warned = true
		e.warn(Warning{File: e.src.Name, Msg: fmt.Sprintf(
			"expands more than %d to 1 (%d MB from %d KB of compressed data so far): a decompression bomb? It is read to the end; interrupt with Ctrl-C if that is not wanted",
			bombRatio, e.out>>20, e.compressed.total>>10),
			MsgJa: fmt.Sprintf("展開後が %d 倍を超えています (これまでに圧縮データ %d KB から %d MB): 展開すると巨大になる圧縮ファイル? 最後まで読みます。不要なら Ctrl-C で中断してください",
				bombRatio, e.compressed.total>>10, e.out>>20)})
	}
	return n, err
}
