package sigma

import (
	"strings"

	"github.com/keikai-project/keikai/internal/taxonomy"
	"go.yaml.in/yaml/v3"
)

// Tag prefixes that link a rule to keikai's taxonomy and to advisories.
const (
	categoryTagPrefix = "keikai.category."
	rsitTagPrefix     = "rsit."
	advisoryTagPrefix = "advisory."
)

// applyTags reads keikai.category.<key>, rsit.<class>.<type> and advisory.<ID> tags; other tags
// (attack.t1190 and the like) are kept in Tags only.
func applyTags(r *Rule, tagsNode *yaml.Node, el *errorList) {
	at := func(i int) *yaml.Node {
		if tagsNode != nil && tagsNode.Kind == yaml.SequenceNode && i < len(tagsNode.Content) {
			return tagsNode.Content[i]
		}
		return tagsNode
	}
	for i, tag := range r.Tags {
		lower := strings.ToLower(tag)
		switch {
		case strings.HasPrefix(lower, categoryTagPrefix):
			key := lower[len(categoryTagPrefix):]
			if _, ok := taxonomy.CategoryByKey(key); !ok {
				el.at(at(i), "unknown category %q in tag %q; categories are %s", key, tag, strings.Join(taxonomy.CategoryKeys(), ", "))
				continue
			}
			if r.category != "" {
				el.at(at(i), "a rule has one category, but tags name both %s and %s", r.category, key)
				continue
			}
			r.category = key
		case strings.HasPrefix(lower, rsitTagPrefix):
			class, typ, ok := strings.Cut(lower[len(rsitTagPrefix):], ".")
			pair := class + ":" + typ
			if !ok || !taxonomy.ValidRSIT(pair) {
				el.at(at(i), "tag %q does not name an RSIT class and type (rsit.<class>.<type>, such as rsit.information-gathering.scanner)", tag)
				continue
			}
			if r.rsit != "" {
				el.at(at(i), "a rule has one RSIT class:type, but tags name both %s and %s", r.rsit, pair)
				continue
			}
			r.rsit = pair
		case strings.HasPrefix(lower, advisoryTagPrefix):
			id := tag[len(advisoryTagPrefix):]
			if id == "" {
				el.at(at(i), "tag %q names no advisory", tag)
				continue
			}
			r.advisories = append(r.advisories, id)
		}
	}
	if r.category == "" {
		r.category = taxonomy.Other
	}
	if r.rsit == "" {
		c, _ := taxonomy.CategoryByKey(r.category)
		r.rsit = c.DefaultRSIT
	}
}
