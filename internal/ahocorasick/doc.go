// Package ahocorasick finds which of many literals occur in a line, ASCII case-insensitively.
//
// It is the rule engine's prefilter: every log line is scanned once with every literal the loaded
// rules need, and only lines whose required literals were seen are evaluated further. The scan is
// a deterministic Aho-Corasick automaton over byte classes (ASCII case folded into the class map),
// entered only at positions where a cheap 3-byte filter says some literal may start. Lines without
// matches therefore cost a few instructions per byte and no table walks. On amd64, for sets of up
// to 96 leading grams, a SIMD pass (teddy.go) decides 32 positions at a time with AVX2, or sixteen
// with SSSE3, before that filter is consulted; with AVX2 the pass and the automaton run as one
// assembly loop (fused_amd64.go), which comes back to Go only to report a match.
package ahocorasick
