//go:build !amd64 || purego

package ahocorasick

// haveTeddy: no SIMD pass outside amd64, so filters never have masks and teddyNext,
// teddyPassAVX2 and afterPass are not called.
const haveTeddy = false

var useAVX2 = false

func (f *gramFilter) teddyNext(text []byte, i int) int { return len(text) }

func (f *gramFilter) teddyPassAVX2(text []byte, i int) (int, bool) { return len(text), false }

func (f *gramFilter) afterPass(text []byte, p int) int { return len(text) }
