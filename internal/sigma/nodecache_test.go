package sigma

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"
)

// cacheOf returns a cache holding the documents of each file, and whether all could be cached.
func cacheOf(files ...[]byte) (*NodeCache, bool) {
	out := []byte(nodeCacheMagic)
	for _, data := range files {
		docs, err := decodeDocuments(data)
		if err != nil {
			return nil, false
		}
		enc, ok := encodeDocuments(docs)
		if !ok {
			return nil, false
		}
		key := keyOf(data)
		out = binary.AppendUvarint(out, uint64(key.size))
		out = binary.AppendUvarint(out, uint64(key.crc))
		out = binary.AppendUvarint(out, uint64(len(enc)))
		out = append(out, enc...)
	}
	return NewNodeCache(string(out)), true
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
			cache, ok := cacheOf(data)
			if ok != c.cached {
				t.Fatalf("cached %v, want %v", ok, c.cached)
			}
			if !ok {
				return
			}
			want, _ := decodeDocuments(data)
			got, err := cache.decoder()(data)
			if err != nil || !reflect.DeepEqual(got, want) {
				t.Errorf("from the cache %v, %v; decoded %v", got, err, want)
			}
			// Other bytes are decoded as YAML.
			other := append(data, "z: 9\n"...)
			want, _ = decodeDocuments(other)
			if got, _ := cache.decoder()(other); !reflect.DeepEqual(got, want) {
				t.Error("bytes not in the cache were not decoded")
			}
		})
	}
}

// A cache cut short is not read, so its files are decoded as YAML; one with bytes changed does
// not panic.
func TestNodeCacheMalformed(t *testing.T) {
	data := []byte("title: t\ndetection:\n  s: {Message|contains: x}\n  condition: s\n")
	full, _ := cacheOf(data)
	var enc string
	for _, e := range full.entries {
		enc = e
	}
	for cut := 0; cut < len(enc); cut++ {
		if docs, ok := new(nodeScratch).decode(enc[:cut]); ok {
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
		got, err := c.decoder()(data)
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

// One decoder reads files of any size in turn into the same memory.
func TestNodeCacheDecoderReuses(t *testing.T) {
	files := []string{"a: 1\n", "a: [1, 2, {b: c}]\n---\nd: e\n", "", "f: g\n"}
	var data [][]byte
	for _, f := range files {
		data = append(data, []byte(f))
	}
	cache, _ := cacheOf(data...)
	if len(cache.entries) != len(files) {
		t.Fatalf("%d files cached", len(cache.entries))
	}
	decode := cache.decoder()
	for _, i := range []int{1, 0, 1, 2, 3, 1} {
		want, _ := decodeDocuments([]byte(files[i]))
		if got, err := decode([]byte(files[i])); err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("file %d: %v, %v; want %v", i, got, err, want)
		}
	}
}

// Parsing keeps no YAML node once the next file is decoded, so a NodeCache's decoder may reuse
// their memory: rules load the same when every file's nodes are overwritten after the next
// decode.
func TestParseKeepsNoNodes(t *testing.T) {
	var last []*yaml.Node
	poison := func(docs []*yaml.Node) {
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			content := n.Content
			*n = yaml.Node{Kind: yaml.ScalarNode, Value: "poison", Tag: "!!str", Line: -1, Column: -1}
			for _, c := range content {
				walk(c)
			}
		}
		for _, d := range docs {
			walk(d)
		}
	}
	decode := func(data []byte) ([]*yaml.Node, error) {
		poison(last)
		docs, err := decodeDocuments(data)
		last = docs
		return docs, err
	}
	for _, dir := range []string{"../../rules", "testdata/valid"} {
		got, err := loadForMatching(os.DirFS(dir), ".", decode)
		poison(last)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := LoadFSForMatching(os.DirFS(dir), ".", nil)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rules keep YAML nodes", dir)
		}
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
		cache, ok := cacheOf(data)
		if !ok {
			return
		}
		want, _ := decodeDocuments(data)
		got, err := cache.decoder()(data)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("from the cache %v, %v; decoded %v", got, err, want)
		}
	})
}
