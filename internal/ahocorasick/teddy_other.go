//go:build !amd64

package ahocorasick

const haveTeddy = false

func teddyNext(f *gramFilter, text []byte, i int) (int, bool) { return i, false }
