package engine

import (
	"encoding/binary"
	"slices"
	"testing"
)

// FuzzIntIndexLookup holds the ranked lookup of values below 65536 to the index's map, the
// reference form: every value a rule was added under, its neighbours, and values beyond the
// bitset (which go to the map) answer the same rules in the same order.
func FuzzIntIndexLookup(f *testing.F) {
	f.Add([]byte{0, 0, 0x50, 0, 0xff, 0xff, 0xd2, 0x07}, int64(80))
	f.Add([]byte{0x16, 0, 0x17, 0, 0x16, 0}, int64(-1))
	f.Add([]byte{0x40, 0, 0x3f, 0, 0x41, 0, 0x01, 0x00, 0x01, 0x00}, int64(70000))
	f.Fuzz(func(t *testing.T, spec []byte, probe int64) {
		idx := &intIndex{rules: map[int64][]int{}}
		var values []int64
		for ri := 0; len(spec) >= 2; ri++ {
			v := int64(binary.LittleEndian.Uint16(spec))
			if ri%5 == 4 {
				v += 65536 // some beyond the bitset
			}
			spec = spec[2:]
			values = append(values, v)
			idx.add([]int64{v, v}[:1+ri%2], ri%7)
		}
		idx.finish()
		probes := []int64{probe, probe + 1, probe - 1, 0, 65535, 65536}
		for _, v := range values {
			probes = append(probes, v, v-1, v+1)
		}
		for _, v := range probes {
			if got, want := idx.lookup(v), idx.rules[v]; !slices.Equal(got, want) {
				t.Fatalf("lookup(%d) = %v, map has %v", v, got, want)
			}
		}
	})
}
