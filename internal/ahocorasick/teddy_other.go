//go:build !amd64

package ahocorasick

// haveTeddy: no SIMD pass outside amd64, so filters never have masks and teddyNext is not called.
const haveTeddy = false

var useAVX2 = false

func (f *gramFilter) teddyNext(text []byte, i int) int { return len(text) }
