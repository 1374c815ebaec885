package sigma

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"
)

// cacheOne returns a cache holding data's documents, and whether they could be cached.
func cacheOne(t testing.TB, data []byte) (*NodeCache, bool) {
	docs, err := decodeDocuments(data)
	if err != nil {
		return nil, false
	}
	enc, ok := encodeDocuments(docs)
	if !ok {
		return nil, false
	}
	key := keyOf(data)
	out := binary.AppendUvarint([]byte(nodeCacheMagic), uint64(key.size))
	out = binary.AppendUvarint(out, uint64(key.crc))
	out = binary.AppendUvarint(out, uint64(len(enc)))
	return NewNodeCache(string(append(out, enc...))), true
}

// Documents read back from the cache are the ones the YAML decoder gave.
func TestNodeCacheSameAsDecoder(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		cached     bool
	}{
		{"scalars", "a: 1\nb: 'x'\nc: \"y\\tz\"\nd: ~\ne: [1, 2.5, true]\n", true},
		{"styles", "a: |\n  text\n  more\nb: >\n  folded\nc: {k: v}\n", true},
		{"comments", "# head\na: 1 # line\n\n# foot\nb:\n  - x\n", true},
		{"documents", "a: 1\n---\nb: 2\n---\n", true},
		{"empty", "", true},
		{"anchor", "a: &k x\n", true},
		{"alias", "a: &k x\nb: *k\n", false},
		{"tags", "a: !!str 1\nb: !custom x\n", true},
		{"crlf", "a: 1\r\nb:\r\n  - c\r\n", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := []byte(c.yaml)
			cache, ok := cacheOne(t, data)
			if ok != c.cached {
				t.Fatalf("cached %v, want %v", ok, c.cached)
			}
			if !ok {
				return
			}
			want, _ := decodeDocuments(data)
			got, err := cache.decode(data)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("from the cache %v, %v; decoded %v", got, err, want)
			}
			// Other bytes are decoded as YAML.
			other := append(data, "z: 9\n"...)
			want, _ = decodeDocuments(other)
			if got, _ := cache.decode(other); !reflect.DeepEqual(got, want) {
				t.Error("bytes not in the cache were not decoded")
			}
		})
	}
}

// A cache cut short is not read, so its files are decoded as YAML; one with bytes changed does
// not panic.
func TestNodeCacheMalformed(t *testing.T) {
	data := []byte("title: t\ndetection:\n  s: {Message|contains: x}\n  condition: s\n")
	full, _ := cacheOne(t, data)
	var enc string
	for _, e := range full.entries {
		enc = e
	}
	for cut := 0; cut < len(enc); cut++ {
		if docs, ok := decodeCachedDocuments(enc[:cut]); ok {
			t.Errorf("cut at %d: read %v", cut, docs)
		}
	}
	for i := range len(enc) {
		b := []byte(enc)
		b[i] ^= 0x80
		c := &NodeCache{entries: full.entries}
		for k := range c.entries {
			c.entries[k] = string(b)
		}
		got, err := c.decode(data)
		if err != nil || got == nil {
			t.Errorf("byte %d flipped: %v, %v", i, got, err)
		}
	}
	for _, s := range []string{"", "garbage", nodeCacheMagic, nodeCacheMagic + "\x01\x02\x09abc"} {
		if c := NewNodeCache(s); len(c.entries) != 0 {
			t.Errorf("NewNodeCache(%q) has %d entries", s, len(c.entries))
		}
	}
}

// A directory loads through its own cache exactly as it decodes.
func TestWriteNodeCache(t *testing.T) {
	fsys := fstest.MapFS{}
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.y*ml"))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys[filepath.Base(p)] = &fstest.MapFile{Data: data}
	}
	enc, err := WriteNodeCache(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	cache := NewNodeCache(string(enc))
	if len(cache.entries) != len(files) {
		t.Errorf("%d files cached, want %d", len(cache.entries), len(files))
	}
	got, err := LoadFSForMatching(fsys, ".", cache)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := LoadFSForMatching(fsys, ".", nil)
	if !reflect.DeepEqual(got, want) {
		t.Error("rules differ through the cache")
	}
}

func FuzzNodeCacheSameAsDecoder(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "valid", "*.y*ml"))
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: |\n  x\n# c\nb: {c: [d, 'e']}\n---\nf: &g h\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cache, ok := cacheOne(t, data)
		if !ok {
			return
		}
		want, _ := decodeDocuments(data)
		got, err := cache.decode(data)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("from the cache %v, %v; decoded %v", got, err, want)
		}
	})
}
