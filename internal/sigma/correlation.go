package sigma

import (
	"strconv"
	"strings"
	"time"

	"github.com/keikai-project/keikai/internal/event"
	"go.yaml.in/yaml/v3"
)

// CorrelationType is the kind of a correlation rule.
type CorrelationType uint8

const (
	// EventCount counts the events of the referenced rules per group within the timespan.
	EventCount CorrelationType = iota + 1
	// ValueCount counts the distinct values of Field per group within the timespan.
	ValueCount
)

func (t CorrelationType) String() string {
	switch t {
	case EventCount:
		return "event_count"
	case ValueCount:
		return "value_count"
	}
	return "CorrelationType(" + strconv.Itoa(int(t)) + ")"
}

// Correlation is a Sigma correlation rule (meta-rule) over the findings of other rules.
type Correlation struct {
	Type      CorrelationType
	RuleRefs  []string // as written: ids or names of detection rules
	Rules     []*Rule  // RuleRefs resolved by Set.Resolve
	GroupBy   []event.Field
	Timespan  time.Duration
	Field     event.Field // the field whose distinct values value_count counts
	Op        string      // gt, gte, lt, lte or eq as written; the engine runs gt and gte only
	Threshold int64
	// Generate says whether the referenced rules also report their own findings.
	Generate bool
}

var correlationKeys = []string{"type", "rules", "group-by", "timespan", "condition", "generate", "aliases"}

func parseCorrelation(n, topGenerate *yaml.Node, el *errorList) *Correlation {
	if n.Kind != yaml.MappingNode {
		el.at(n, "correlation must be a mapping with type, rules, group-by, timespan and condition")
		return nil
	}
	c := &Correlation{}
	before := len(el.errs)
	var condNode *yaml.Node
	seen := map[string]bool{}
	for _, p := range pairs(n) {
		k, v := p[0], p[1]
		seen[k.Value] = true
		switch k.Value {
		case "type":
			s, _ := el.scalar(v, "correlation type")
			switch s {
			case "event_count":
				c.Type = EventCount
			case "value_count":
				c.Type = ValueCount
			case "value_sum", "value_avg", "value_percentile", "value_median", "temporal", "temporal_ordered":
				el.at(v, "correlation type %s is not supported by keikai (supported: event_count, value_count)", s)
			default:
				el.at(v, "unknown correlation type %q (supported: event_count, value_count)", s)
			}
		case "rules":
			c.RuleRefs = el.stringList(v, "correlation rules")
		case "group-by":
			for _, name := range el.stringList(v, "group-by") {
				f, ok := event.FieldByName(name)
				if !ok {
					el.at(v, "group-by: unknown field %q; known fields: %s", name, knownFieldNames())
					continue
				}
				c.GroupBy = append(c.GroupBy, f)
			}
		case "timespan":
			s, _ := el.scalar(v, "timespan")
			d, ok := parseTimespan(s)
			if !ok {
				el.at(v, "timespan %q is not a number followed by s, m, h or d (such as 5m)", s)
			}
			c.Timespan = d
		case "condition":
			condNode = v
		case "generate":
			c.Generate = parseBool(v, el)
		case "aliases":
			el.at(k, "correlation aliases are not supported by keikai; use the same field name in every referenced rule")
		default:
			if hint, ok := closest(k.Value, correlationKeys); ok {
				el.at(k, "unknown correlation key %q (did you mean %s?)", k.Value, hint)
			} else {
				el.at(k, "unknown correlation key %q; keys are %s", k.Value, strings.Join(correlationKeys, ", "))
			}
		}
	}
	if topGenerate != nil && !seen["generate"] {
		c.Generate = parseBool(topGenerate, el)
	}
	for _, req := range []string{"type", "rules", "timespan", "condition"} {
		if !seen[req] {
			el.at(n, "correlation needs %s", req)
		}
	}
	if seen["rules"] && len(c.RuleRefs) == 0 {
		el.at(n, "correlation rules: list at least one rule id or name")
	}
	if condNode != nil {
		parseCorrelationCondition(c, condNode, el)
	}
	if len(el.errs) > before {
		return nil
	}
	return c
}

func parseCorrelationCondition(c *Correlation, n *yaml.Node, el *errorList) {
	if n.Kind != yaml.MappingNode {
		el.at(n, "correlation condition must be a mapping such as {gte: 10}")
		return
	}
	for _, p := range pairs(n) {
		k, v := p[0], p[1]
		switch k.Value {
		case "gt", "gte", "lt", "lte", "eq":
			if c.Op != "" {
				el.at(k, "correlation condition takes one comparison; found %s and %s", c.Op, k.Value)
				continue
			}
			i, ok := parseYAMLInt(v.Value)
			if v.Kind != yaml.ScalarNode || !ok {
				el.at(v, "correlation condition %s needs an integer", k.Value)
				continue
			}
			c.Op, c.Threshold = k.Value, i
		case "field":
			f, ok := event.FieldByName(v.Value)
			if v.Kind != yaml.ScalarNode || !ok {
				el.at(v, "correlation condition field: unknown field %q; known fields: %s", v.Value, knownFieldNames())
				continue
			}
			c.Field = f
		default:
			el.at(k, "unknown correlation condition key %q; use one of gt, gte, lt, lte, eq (and field for value_count)", k.Value)
		}
	}
	if c.Op == "" {
		el.at(n, "correlation condition needs a comparison: gt, gte, lt, lte or eq")
	}
	switch {
	case c.Type == ValueCount && c.Field == event.FieldNone:
		el.at(n, "a value_count correlation needs condition field: the field whose distinct values are counted")
	case c.Type == EventCount && c.Field != event.FieldNone:
		el.at(n, "condition field applies to value_count correlations only")
	}
}

func parseBool(n *yaml.Node, el *errorList) bool {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" {
		el.at(n, "generate must be true or false")
		return false
	}
	return strings.EqualFold(n.Value, "true")
}

// parseTimespan reads Sigma's timespan: a positive number and a unit s, m, h, d (or w).
func parseTimespan(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	n, err := strconv.ParseInt(s[:len(s)-1], 10, 64)
	if err != nil || n <= 0 || n > 1<<30 {
		return 0, false
	}
	unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[len(s)-1]]
	if unit == 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}
