package sigma

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io/fs"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A NodeCache holds rule files already decoded into YAML nodes, each under the length and
// CRC-32C of the bytes it was decoded from. Decoding the bundled rules' YAML was half of
// keikai's start-up; reading the same nodes back from a cache built when the rules were written
// costs a tenth of that. A file whose bytes are not in the cache (a rule edited since) is decoded
// as YAML, so a stale cache costs time only. A checksum, not a cryptographic hash, is enough: the
// cache and the files are the same build's own, it only has to notice an edit, and the rules'
// tests check that the bundled cache is exactly fresh.
type NodeCache struct {
	entries map[sourceKey]string // the encoded documents, by their source's key
}

// sourceKey identifies the bytes a cache entry was decoded from.
type sourceKey struct {
	size, crc uint32
}

func keyOf(data []byte) sourceKey {
	return sourceKey{uint32(len(data)), crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli))} // the table is made once
}

// nodeCacheMagic starts an encoded cache; the number changes with the encoding.
const nodeCacheMagic = "keikai sigma node cache 3\n"

// NewNodeCache reads a cache written by WriteNodeCache. A cache in another encoding, or cut
// short, is read as far as it is whole, so at worst its files are decoded as YAML.
func NewNodeCache(encoded string) *NodeCache {
	c := &NodeCache{entries: map[sourceKey]string{}}
	rest, ok := strings.CutPrefix(encoded, nodeCacheMagic)
	for ok && len(rest) > 0 {
		r := cacheReader{s: rest}
		size, crc, n := r.uint(), r.uint(), r.uint()
		if r.bad || size > maxRuleFileSize || crc > 1<<32-1 || n > uint64(len(r.s)) {
			break
		}
		c.entries[sourceKey{uint32(size), uint32(crc)}] = r.s[:n]
		rest = r.s[n:]
	}
	return c
}

// loader returns the read and parse functions of load for LoadFSForMatching with the cache, for
// one load. A file's bytes are read into the previous file's memory, and its nodes, if the cache
// has them, likewise: every fresh page the start-up touches costs a page fault, and parsing keeps
// neither (TestParseKeepsNoNodes). A file not in the cache is copied and parsed as
// parseFileForMatching does.
func (c *NodeCache) loader(fsys fs.FS) (read func(string) ([]byte, error), parse func(string, []byte) ([]*Rule, error)) {
	var buf bytes.Buffer
	read = func(p string) ([]byte, error) {
		f, err := fsys.Open(p)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		buf.Reset()
		_, err = buf.ReadFrom(f)
		return buf.Bytes(), err
	}
	var scratch nodeScratch
	parse = func(name string, data []byte) ([]*Rule, error) {
		if enc, ok := c.entries[keyOf(data)]; ok {
			if docs, ok := scratch.decode(enc); ok {
				rules, err := parseDocuments(name, docs, &errorList{file: name})
				for _, r := range rules {
					clearProse(r)
				}
				return rules, err
			}
		}
		return parseFileForMatching(name, bytes.Clone(data), decodeDocuments)
	}
	return read, parse
}

// nodeScratch holds the memory of the nodes of the last file decoded from a cache.
type nodeScratch struct {
	nodes    []yaml.Node
	children []*yaml.Node
	docs     []*yaml.Node
}

// WriteNodeCache loads the rule files under dir as LoadFSForMatching does and returns a cache
// for NewNodeCache: for every file, under the key of its bytes, the documents that
// parseFileForMatching parses, if they decode without error. Files with aliases are left out: an
// alias points at another node, which the encoding does not record.
func WriteNodeCache(fsys fs.FS, dir string) ([]byte, error) {
	out := []byte(nodeCacheMagic)
	record := func(name string, data []byte) ([]*Rule, error) {
		docs, ok := matchingDocuments(name, data)
		if enc, encoded := encodeDocuments(docs); ok && encoded {
			key := keyOf(data)
			out = binary.AppendUvarint(out, uint64(key.size))
			out = binary.AppendUvarint(out, uint64(key.crc))
			out = binary.AppendUvarint(out, uint64(len(enc)))
			out = append(out, enc...)
		}
		return parseFileForMatching(name, data, decodeDocuments)
	}
	if _, err := load(fsys, dir, func(p string) ([]byte, error) { return fs.ReadFile(fsys, p) }, func(p string) string { return p }, record); err != nil {
		return nil, fmt.Errorf("caching decoded rules: %w", err)
	}
	return out, nil
}

// matchingDocuments returns the documents parseFileForMatching parses for data: those of the
// file cut by forMatching if they parse without error, else the whole file's. ok is false if
// they do not decode.
func matchingDocuments(name string, data []byte) (docs []*yaml.Node, ok bool) {
	if short, ok := forMatching(data); ok {
		if docs, err := decodeDocuments(short); err == nil {
			if _, err := parseDocuments(name, docs, &errorList{file: name}); err == nil {
				docs, _ = decodeDocuments(short) // afresh, as the parser gets them
				return docs, true
			}
		}
	}
	docs, err := decodeDocuments(data)
	return docs, err == nil
}

// encodeDocuments writes the node count, the document count, then every node in pre-order:
// kind, style, a bit set of which of tag, value, anchor, head, line and foot comment are not
// empty, those strings (length and bytes), line, column and the number of children. ok is false
// if a node is an alias.
func encodeDocuments(docs []*yaml.Node) (enc []byte, ok bool) {
	nodes := 0
	var count func(n *yaml.Node) bool
	count = func(n *yaml.Node) bool {
		nodes++
		for _, c := range n.Content {
			if !count(c) {
				return false
			}
		}
		return n.Kind != yaml.AliasNode && n.Alias == nil
	}
	for _, d := range docs {
		if !count(d) {
			return nil, false
		}
	}
	enc = binary.AppendUvarint(enc, uint64(nodes))
	enc = binary.AppendUvarint(enc, uint64(len(docs)))
	var put func(n *yaml.Node)
	put = func(n *yaml.Node) {
		enc = binary.AppendUvarint(enc, uint64(n.Kind))
		enc = binary.AppendUvarint(enc, uint64(n.Style))
		strs := [...]string{n.Tag, n.Value, n.Anchor, n.HeadComment, n.LineComment, n.FootComment}
		present := 0
		for i, s := range strs {
			if s != "" {
				present |= 1 << i
			}
		}
		enc = binary.AppendUvarint(enc, uint64(present))
		for _, s := range strs {
			if s != "" {
				enc = binary.AppendUvarint(enc, uint64(len(s)))
				enc = append(enc, s...)
			}
		}
		enc = binary.AppendVarint(enc, int64(n.Line))
		enc = binary.AppendVarint(enc, int64(n.Column))
		enc = binary.AppendUvarint(enc, uint64(len(n.Content)))
		for _, c := range n.Content {
			put(c)
		}
	}
	for _, d := range docs {
		put(d)
	}
	return enc, true
}

// decode reads what encodeDocuments wrote, into the memory of the previous call's nodes. All
// nodes are in one slice and all child lists in another; strings are slices of enc. ok is false
// if enc is malformed.
func (m *nodeScratch) decode(enc string) (docs []*yaml.Node, ok bool) {
	r := cacheReader{s: enc}
	nodes, ndocs := r.uint(), r.uint()
	// Every node takes at least 6 bytes, which bounds the allocations by the cache's size.
	if r.bad || ndocs > nodes || nodes > uint64(len(r.s))/6 {
		return nil, false
	}
	m.nodes = reuse(m.nodes, int(nodes))
	m.children = reuse(m.children, int(nodes-ndocs)) // each node but a document is one node's child
	slab, children := m.nodes, m.children
	var get func(depth int) *yaml.Node
	get = func(depth int) *yaml.Node {
		if len(slab) == 0 || depth > maxCachedDepth {
			r.bad = true
			return nil
		}
		n := &slab[0]
		slab = slab[1:]
		n.Kind, n.Style = yaml.Kind(r.uint()), yaml.Style(r.uint())
		if present := r.uint(); present != 0 { // most nodes have a tag and a value only
			for i, s := range [...]*string{&n.Tag, &n.Value, &n.Anchor, &n.HeadComment, &n.LineComment, &n.FootComment} {
				if present&(1<<i) != 0 {
					*s = r.str()
				}
			}
		}
		n.Line, n.Column = r.int(), r.int()
		k := r.uint()
		if r.bad || k > uint64(len(children)) {
			r.bad = true
			return nil
		}
		if k > 0 {
			n.Content = children[:k:k]
			children = children[k:]
			for i := range n.Content {
				if n.Content[i] = get(depth + 1); n.Content[i] == nil {
					return nil
				}
			}
		}
		return n
	}
	if ndocs > 0 { // the decoder gives nil for no documents
		m.docs = reuse(m.docs, int(ndocs))
		docs = m.docs
	}
	for i := range docs {
		if docs[i] = get(0); docs[i] == nil {
			return nil, false
		}
	}
	return docs, !r.bad && len(r.s) == 0 && len(slab) == 0
}

// reuse returns s cleared and resliced to n, or a new slice if s is too short.
func reuse[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// maxCachedDepth bounds the recursion of nodeScratch.decode; the YAML decoder has a like limit.
const maxCachedDepth = 10000

// cacheReader reads varints and strings from an encoded cache; bad records any malformed one.
type cacheReader struct {
	s   string
	bad bool
}

func (r *cacheReader) uint() uint64 {
	if len(r.s) > 0 && r.s[0] < 0x80 { // most numbers are below 128
		v := r.s[0]
		r.s = r.s[1:]
		return uint64(v)
	}
	var v uint64
	for shift := 0; shift < 64 && len(r.s) > 0; shift += 7 {
		b := r.s[0]
		r.s = r.s[1:]
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

func (r *cacheReader) int() int {
	u := r.uint()
	return int(int64(u>>1) ^ -int64(u&1)) // binary.AppendVarint's zig-zag encoding
}

func (r *cacheReader) str() string {
	n := r.uint()
	if n > uint64(len(r.s)) {
		r.bad = true
		return ""
	}
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}
