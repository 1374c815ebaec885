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

// fromCache reads data's documents from c.
func fromCache(c *NodeCache, data []byte) ([]*yaml.Node, bool) {
	enc, ok := c.entries[keyOf(data)]
	if !ok {
		return nil, false
	}
	return new(nodeScratch).decode(enc)
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
			got, ok := fromCache(cache, data)
			if !ok || !reflect.DeepEqual(got, want) {
				t.Errorf("from the cache %v, %v; decoded %v", got, ok, want)
			}
			if _, ok := fromCache(cache, append(data, "z: 9\n"...)); ok {
				t.Error("other bytes found in the cache")
			}
		})
	}
}

// A cache cut short is not read, so its files are decoded as YAML; one with bytes changed does
// not panic.
func TestNodeCacheMalformed(t *testing.T) {
	full, _ := cacheOf([]byte("title: t\ndetection:\n  s: {Message|contains: x}\n  condition: s\n"))
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
		new(nodeScratch).decode(string(b)) // must not panic
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
	// Blanking the samples breaks the alias, so parseFileForMatching parses the whole file.
	fsys["fallback.yml"] = &fstest.MapFile{Data: []byte("title: a\nlogsource: {product: linux, service: sshd}\ndescription: d\nsamples:\n  match: [&k x]\n  nomatch: [y]\ndetection:\n  s: {msg|contains: *k}\n  condition: s\n")}
	fsys["full.yml"] = &fstest.MapFile{Data: []byte("title: b\nlogsource: {product: linux, service: sshd}\ndetection: {s: {msg|contains: y}, condition: s}\n")}
	enc, err := WriteNodeCache(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	cache := NewNodeCache(string(enc))
	if want := len(files) + 1; len(cache.entries) != want { // not fallback.yml: it has an alias
		t.Errorf("%d files cached, want %d", len(cache.entries), want)
	}
	// A file edited after the cache was written is parsed from its YAML.
	fsys["full.yml"] = &fstest.MapFile{Data: []byte("title: c\nlogsource: {product: linux, service: sshd}\ndetection: {s: {msg|contains: z}, condition: s}\n")}
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
	var scratch nodeScratch
	for _, i := range []int{1, 0, 1, 2, 3, 1} {
		want, _ := decodeDocuments(data[i])
		if got, ok := scratch.decode(cache.entries[keyOf(data[i])]); !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("file %d: %v, %v; want %v", i, got, ok, want)
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
		got, ok := fromCache(cache, data)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("from the cache %v, %v; decoded %v", got, ok, want)
		}
	})
}
