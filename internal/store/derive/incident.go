package derive

import (
	"encoding/json"
	"slices"
)

// Fields is the JSON object of an audit entry's before or after: the changed fields only, nil
// for none. Keys come out sorted (encoding/json sorts map keys), so both adapters write the same
// bytes for the same change.
func Fields(m map[string]any) json.RawMessage {
	if len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		// Only strings, numbers, booleans and slices of them are passed: this cannot happen.
		panic("derive.Fields: " + err.Error())
	}
	return b
}

// IDs is a set of IDs, ascending and without repeats, as the incident methods take them.
func IDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
