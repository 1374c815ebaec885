package analyze

import (
	"encoding/binary"
	"reflect"
	"sort"
	"testing"

	"github.com/keikai-project/keikai/internal/portname"
)

// topPortsReference is topPorts as it was before portCounts: one flat array of counters per
// protocol. It is the oracle of FuzzPortCountsSameAsReference.
func topPortsReference(counts []int64, proto string, n int) []PortCount {
	out := []PortCount{}
	for p, c := range counts {
		if c > 0 {
			out = append(out, PortCount{Port: p, Service: portname.Port(proto, p), Count: c})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// FuzzPortCountsSameAsReference counts ports in two tallies, merges them as the summary does and
// checks the ranking against counting them all in one flat array.
func FuzzPortCountsSameAsReference(f *testing.F) {
	f.Add([]byte{0, 22, 0, 22, 0x01, 0xbb, 0xff, 0xff}, uint8(3), uint8(5))
	f.Add([]byte{0x02, 0x00, 0x01, 0xff, 0x02, 0x00, 0x00, 0x07}, uint8(1), uint8(20))
	f.Fuzz(func(t *testing.T, data []byte, split, top uint8) {
		flat := make([]int64, 65536)
		var a, b portCounts
		for i := 0; i+2 <= len(data); i += 2 {
			p := binary.BigEndian.Uint16(data[i:])
			flat[p]++
			if i/2 < int(split) {
				a.add(p)
			} else {
				b.add(p)
			}
		}
		n := int(top)%30 + 1
		want := topPortsReference(flat, "tcp", n)
		var sum portCounts
		sum.merge(&a)
		sum.merge(&b)
		if got := topPorts(&sum, "tcp", n); !reflect.DeepEqual(got, want) {
			t.Fatalf("ranking %v, want %v", got, want)
		}
	})
}
