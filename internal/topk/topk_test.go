package topk

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestExactBelowCapacity(t *testing.T) {
	c := New(10)
	for _, k := range []string{"a", "b", "a", "c", "a", "b"} {
		c.Add([]byte(k), 1)
	}
	got := c.Top(-1)
	want := []Item{{"a", 3, 0}, {"b", 2, 0}, {"c", 1, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Top = %v, want %v", got, want)
	}
	if c.Approximate() {
		t.Error("Approximate() = true below capacity")
	}
}

func TestHeavyHittersSurviveOverflow(t *testing.T) {
	c := New(8)
	// Two heavy keys among many one-off keys: the heavy ones must stay on top with counts that
	// are never below the truth.
	for i := 0; i < 1000; i++ {
		c.Add([]byte("heavy1"), 1)
		if i%2 == 0 {
			c.Add([]byte("heavy2"), 1)
		}
		c.Add([]byte(fmt.Sprintf("noise%d", i)), 1)
	}
	top := c.Top(2)
	if top[0].Key != "heavy1" || top[1].Key != "heavy2" {
		t.Fatalf("Top(2) = %v, want heavy1 then heavy2", top)
	}
	if top[0].Count < 1000 || top[1].Count < 500 {
		t.Errorf("counts below truth: %v", top)
	}
	if held := len(c.Top(-1)); !c.Approximate() || held != 8 {
		t.Errorf("Approximate()=%v, %d keys held, want true and 8", c.Approximate(), held)
	}
}

// A late heavy hitter must enter the top even after the counter filled with one-off keys.
func TestLateHeavyHitterIsAdmitted(t *testing.T) {
	c := New(16)
	for i := 0; i < 5000; i++ {
		c.Add([]byte(fmt.Sprintf("once%d", i)), 1)
	}
	for i := 0; i < 300; i++ {
		c.Add([]byte("late"), 1)
	}
	top := c.Top(1)
	if top[0].Key != "late" || top[0].Count < 300 || top[0].Count-top[0].MaxError > 300 {
		t.Fatalf("Top(1) = %+v, want late with a count bounding 300", top)
	}
}

func TestMerge(t *testing.T) {
	a, b := New(4), New(4)
	a.Add([]byte("x"), 5)
	a.Add([]byte("y"), 1)
	b.Add([]byte("x"), 2)
	b.Add([]byte("z"), 7)
	a.Merge(b)
	got := a.Top(-1)
	want := []Item{{"x", 7, 0}, {"z", 7, 0}, {"y", 1, 0}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("merged Top = %v, want %v", got, want)
	}
}

func BenchmarkAddExisting(b *testing.B) {
	c := New(1024)
	keys := make([][]byte, 256)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("198.51.100.%d", i))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		c.Add(keys[i&255], 1)
	}
}

// TestEvictsTrueMinimum checks that lazily updated counts never let a frequently incremented key
// be evicted in place of a rarer one.
func TestEvictsTrueMinimum(t *testing.T) {
	c := New(3)
	c.Add([]byte("a"), 1)
	c.Add([]byte("b"), 1)
	c.Add([]byte("c"), 1)
	for i := 0; i < 10; i++ {
		c.Add([]byte("a"), 1) // a's heap position is now stale
		c.Add([]byte("b"), 1)
	}
	c.Add([]byte("d"), 1) // counted in the sketch: 1 does not exceed c's 1
	c.Add([]byte("d"), 1) // now 2 > 1: d replaces c, the only key still at 1
	got := c.Top(-1)
	want := []Item{{"a", 11, 0}, {"b", 11, 0}, {"d", 2, 1}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("Top = %v, want %v", got, want)
	}
}

// refHeap is container/heap's view of a minHeap: the hand-written moves must leave the entries in
// the same places, since Merge visits them in heap order.
type refHeap []*entry

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return minHeap(h).less(i, j) }
func (h refHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)        { *h = append(*h, x.(*entry)) }
func (h *refHeap) Pop() any          { panic("not used") }

func TestHeapMovesAsContainerHeap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var mine minHeap
	var ref refHeap
	for i := range 2000 {
		if len(mine) < 300 || rng.IntN(2) == 0 {
			n := rng.Int64N(50)
			mine.push(&entry{key: strconv.Itoa(i), snapshot: n})
			heap.Push(&ref, &entry{key: strconv.Itoa(i), snapshot: n})
		} else {
			n := rng.Int64N(20)
			mine[0].snapshot += n
			mine.fixTop()
			ref[0].snapshot += n
			heap.Fix(&ref, 0)
		}
		for j := range mine {
			if mine[j].key != ref[j].key {
				t.Fatalf("step %d: place %d holds %q, container/heap has %q", i, j, mine[j].key, ref[j].key)
			}
		}
	}
}
