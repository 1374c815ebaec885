package csaf

import (
	"math"
	"strings"
)

// A CVSS metric: its property name in the JSON object and, per abbreviated value in the vector,
// the property's value and the weight the specification's formulas use.
type metric struct {
	property string
	values   map[string]level
}

type level struct {
	name   string
	weight float64
}

const notDefined = "NOT_DEFINED"

var cvss3Impact = map[string]level{"N": {"NONE", 0}, "L": {"LOW", 0.22}, "H": {"HIGH", 0.56}}
var cvss3Requirement = map[string]level{"X": {notDefined, 1}, "L": {"LOW", 0.5}, "M": {"MEDIUM", 1}, "H": {"HIGH", 1.5}}

// The CVSS v3.0/v3.1 metrics; PR's weights are for an unchanged scope (changed: L 0.68, H 0.5).
var cvss3Metrics = map[string]metric{
	"AV":  {"attackVector", map[string]level{"N": {"NETWORK", 0.85}, "A": {"ADJACENT_NETWORK", 0.62}, "L": {"LOCAL", 0.55}, "P": {"PHYSICAL", 0.2}}},
	"AC":  {"attackComplexity", map[string]level{"L": {"LOW", 0.77}, "H": {"HIGH", 0.44}}},
	"PR":  {"privilegesRequired", map[string]level{"N": {"NONE", 0.85}, "L": {"LOW", 0.62}, "H": {"HIGH", 0.27}}},
	"UI":  {"userInteraction", map[string]level{"N": {"NONE", 0.85}, "R": {"REQUIRED", 0.62}}},
	"S":   {"scope", map[string]level{"U": {"UNCHANGED", 0}, "C": {"CHANGED", 0}}},
	"C":   {"confidentialityImpact", cvss3Impact},
	"I":   {"integrityImpact", cvss3Impact},
	"A":   {"availabilityImpact", cvss3Impact},
	"E":   {"exploitCodeMaturity", map[string]level{"X": {notDefined, 1}, "H": {"HIGH", 1}, "F": {"FUNCTIONAL", 0.97}, "P": {"PROOF_OF_CONCEPT", 0.94}, "U": {"UNPROVEN", 0.91}}},
	"RL":  {"remediationLevel", map[string]level{"X": {notDefined, 1}, "U": {"UNAVAILABLE", 1}, "W": {"WORKAROUND", 0.97}, "T": {"TEMPORARY_FIX", 0.96}, "O": {"OFFICIAL_FIX", 0.95}}},
	"RC":  {"reportConfidence", map[string]level{"X": {notDefined, 1}, "C": {"CONFIRMED", 1}, "R": {"REASONABLE", 0.96}, "U": {"UNKNOWN", 0.92}}},
	"CR":  {"confidentialityRequirement", cvss3Requirement},
	"IR":  {"integrityRequirement", cvss3Requirement},
	"AR":  {"availabilityRequirement", cvss3Requirement},
	"MAV": {"modifiedAttackVector", nil},
	"MAC": {"modifiedAttackComplexity", nil},
	"MPR": {"modifiedPrivilegesRequired", nil},
	"MUI": {"modifiedUserInteraction", nil},
	"MS":  {"modifiedScope", nil},
	"MC":  {"modifiedConfidentialityImpact", nil},
	"MI":  {"modifiedIntegrityImpact", nil},
	"MA":  {"modifiedAvailabilityImpact", nil},
}

func init() {
	// A modified metric takes its base metric's values, plus X: not defined, use the base value.
	for abbr, m := range cvss3Metrics {
		if m.values == nil {
			values := map[string]level{"X": {notDefined, -1}}
			for k, v := range cvss3Metrics[abbr[1:]].values {
				values[k] = v
			}
			m.values = values
			cvss3Metrics[abbr] = m
		}
	}
}

var cvss2Impact = map[string]level{"N": {"NONE", 0}, "P": {"PARTIAL", 0.275}, "C": {"COMPLETE", 0.660}}
var cvss2Requirement = map[string]level{"ND": {notDefined, 1}, "L": {"LOW", 0.5}, "M": {"MEDIUM", 1}, "H": {"HIGH", 1.51}}

var cvss2Metrics = map[string]metric{
	"AV":  {"accessVector", map[string]level{"L": {"LOCAL", 0.395}, "A": {"ADJACENT_NETWORK", 0.646}, "N": {"NETWORK", 1}}},
	"AC":  {"accessComplexity", map[string]level{"H": {"HIGH", 0.35}, "M": {"MEDIUM", 0.61}, "L": {"LOW", 0.71}}},
	"Au":  {"authentication", map[string]level{"M": {"MULTIPLE", 0.45}, "S": {"SINGLE", 0.56}, "N": {"NONE", 0.704}}},
	"C":   {"confidentialityImpact", cvss2Impact},
	"I":   {"integrityImpact", cvss2Impact},
	"A":   {"availabilityImpact", cvss2Impact},
	"E":   {"exploitability", map[string]level{"ND": {notDefined, 1}, "U": {"UNPROVEN", 0.85}, "POC": {"PROOF_OF_CONCEPT", 0.9}, "F": {"FUNCTIONAL", 0.95}, "H": {"HIGH", 1}}},
	"RL":  {"remediationLevel", map[string]level{"ND": {notDefined, 1}, "OF": {"OFFICIAL_FIX", 0.87}, "TF": {"TEMPORARY_FIX", 0.9}, "W": {"WORKAROUND", 0.95}, "U": {"UNAVAILABLE", 1}}},
	"RC":  {"reportConfidence", map[string]level{"ND": {notDefined, 1}, "UC": {"UNCONFIRMED", 0.9}, "UR": {"UNCORROBORATED", 0.95}, "C": {"CONFIRMED", 1}}},
	"CDP": {"collateralDamagePotential", map[string]level{"ND": {notDefined, 0}, "N": {"NONE", 0}, "L": {"LOW", 0.1}, "LM": {"LOW_MEDIUM", 0.3}, "MH": {"MEDIUM_HIGH", 0.4}, "H": {"HIGH", 0.5}}},
	"TD":  {"targetDistribution", map[string]level{"ND": {notDefined, 1}, "N": {"NONE", 0}, "L": {"LOW", 0.25}, "M": {"MEDIUM", 0.75}, "H": {"HIGH", 1}}},
	"CR":  {"confidentialityRequirement", cvss2Requirement},
	"IR":  {"integrityRequirement", cvss2Requirement},
	"AR":  {"availabilityRequirement", cvss2Requirement},
}

// cvss runs 6.1.9 and 6.1.10 on one cvss_v2 or cvss_v3 object. A vector the schema rejects is
// left to the schema (6.1.8).
func (c *checker) cvss(obj node) {
	vector := obj.get("vectorString").str()
	version := obj.get("version").str()
	metrics, parts := cvss2Metrics, strings.Split(vector, "/")
	unset, v2 := "ND", true
	if strings.HasPrefix(vector, "CVSS:3.") {
		metrics, parts, unset, v2 = cvss3Metrics, parts[1:], "X", false
	}
	chosen := map[string]level{}
	for _, part := range parts {
		abbr, val, ok := strings.Cut(part, ":")
		m, known := metrics[abbr]
		if !ok || !known {
			return
		}
		l, ok := m.values[val]
		if !ok {
			return
		}
		chosen[abbr] = l
	}
	// Only a metric the vector states can contradict a property (6.1.10).
	for abbr, l := range chosen {
		m := metrics[abbr]
		if p := obj.get(m.property); p.exists() && p.str() != l.name {
			c.fail("6.1.10", p, "%s is %s but the vector says %s", m.property, p.str(), l.name)
		}
	}
	for abbr, m := range metrics {
		if _, ok := chosen[abbr]; !ok {
			l, ok := m.values[unset]
			if !ok {
				return // a base metric is missing: the schema says so
			}
			chosen[abbr] = l
		}
	}
	var scores map[string]float64
	if v2 {
		scores = cvss2Scores(chosen)
	} else {
		scores = cvss3Scores(chosen, version == "3.0")
	}
	for _, kind := range []string{"base", "temporal", "environmental"} {
		want := scores[kind]
		if p := obj.get(kind + "Score"); p.exists() {
			if got, ok := p.number(); ok && math.Abs(got-want) > 1e-6 {
				c.fail("6.1.9", p, "%sScore is %v but the vector %s gives %.1f", kind, p.v, vector, want)
			}
		}
		if p := obj.get(kind + "Severity"); p.exists() && p.str() != severity(want) {
			c.fail("6.1.9", p, "%sSeverity is %s but a score of %.1f is %s", kind, p.str(), want, severity(want))
		}
	}
}

func severity(score float64) string {
	switch {
	case score == 0:
		return "NONE"
	case score < 4:
		return "LOW"
	case score < 7:
		return "MEDIUM"
	case score < 9:
		return "HIGH"
	}
	return "CRITICAL"
}

// roundUp is CVSS v3.1's Roundup, which avoids floating-point error; v3.0 defines it as the
// plain ceiling to one decimal.
func roundUp(x float64, v30 bool) float64 {
	if v30 {
		return math.Ceil(x*10) / 10
	}
	i := math.Round(x * 100000)
	if math.Mod(i, 10000) == 0 {
		return i / 100000
	}
	return (math.Floor(i/10000) + 1) / 10
}

func cvss3Scores(m map[string]level, v30 bool) map[string]float64 {
	changed := m["S"].name == "CHANGED"
	pr := func(l level, changed bool) float64 {
		if changed {
			switch l.name {
			case "LOW":
				return 0.68
			case "HIGH":
				return 0.5
			}
		}
		return l.weight
	}
	iss := 1 - (1-m["C"].weight)*(1-m["I"].weight)*(1-m["A"].weight)
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	exploitability := 8.22 * m["AV"].weight * m["AC"].weight * pr(m["PR"], changed) * m["UI"].weight
	base := 0.0
	if impact > 0 {
		if changed {
			base = roundUp(math.Min(1.08*(impact+exploitability), 10), v30)
		} else {
			base = roundUp(math.Min(impact+exploitability, 10), v30)
		}
	}
	temporalFactor := m["E"].weight * m["RL"].weight * m["RC"].weight
	temporal := roundUp(base*temporalFactor, v30)

	mod := func(abbr string) level {
		if l := m["M"+abbr]; l.name != notDefined {
			return l
		}
		return m[abbr]
	}
	mChanged := mod("S").name == "CHANGED"
	miss := math.Min(1-(1-m["CR"].weight*mod("C").weight)*(1-m["IR"].weight*mod("I").weight)*(1-m["AR"].weight*mod("A").weight), 0.915)
	mImpact := 6.42 * miss
	if mChanged {
		if v30 {
			mImpact = 7.52*(miss-0.029) - 3.25*math.Pow(miss-0.02, 15)
		} else {
			mImpact = 7.52*(miss-0.029) - 3.25*math.Pow(miss*0.9731-0.02, 13)
		}
	}
	mExploitability := 8.22 * mod("AV").weight * mod("AC").weight * pr(mod("PR"), mChanged) * mod("UI").weight
	environmental := 0.0
	if mImpact > 0 {
		sum := math.Min(mImpact+mExploitability, 10)
		if mChanged {
			sum = math.Min(1.08*(mImpact+mExploitability), 10)
		}
		environmental = roundUp(roundUp(sum, v30)*temporalFactor, v30)
	}
	return map[string]float64{"base": base, "temporal": temporal, "environmental": environmental}
}

func round1(x float64) float64 { return math.Round(x*10+1e-9) / 10 }

func cvss2Scores(m map[string]level) map[string]float64 {
	base := func(impact float64) float64 {
		exploitability := 20 * m["AV"].weight * m["AC"].weight * m["Au"].weight
		f := 1.176
		if impact == 0 {
			f = 0
		}
		return round1((0.6*impact + 0.4*exploitability - 1.5) * f)
	}
	b := base(10.41 * (1 - (1-m["C"].weight)*(1-m["I"].weight)*(1-m["A"].weight)))
	factor := m["E"].weight * m["RL"].weight * m["RC"].weight
	adjustedImpact := math.Min(10, 10.41*(1-(1-m["C"].weight*m["CR"].weight)*(1-m["I"].weight*m["IR"].weight)*(1-m["A"].weight*m["AR"].weight)))
	adjustedTemporal := round1(base(adjustedImpact) * factor)
	environmental := round1((adjustedTemporal + (10-adjustedTemporal)*m["CDP"].weight) * m["TD"].weight)
	return map[string]float64{"base": b, "temporal": round1(b * factor), "environmental": environmental}
}
