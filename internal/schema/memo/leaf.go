package memo

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"cuelang.org/go/cue"
)

// leaf is a scalar constraint Go decides exactly; the zero value accepts nothing.
type leaf struct {
	kind     cue.Kind // StringKind, BoolKind or IntKind; 0: not decidable here
	match    []*regexp.Regexp
	notMatch []*regexp.Regexp
	layouts  []string // time.Format layouts: a string must parse with each (as CUE's time.Format checks)
	oneOf    []leaf   // a disjunction: a string must also satisfy one of these
	lit      *string  // an arm of a disjunction that is a string literal
	lo, hi   int64    // inclusive bounds for ints
	// probes are the tests comprehension conditions apply to values of this field name; a
	// replaced value carries their results in the memo key (see probe).
	probes []probe
}

func (l *leaf) string(s string) bool {
	if l.kind != cue.StringKind {
		return false
	}
	if l.lit != nil && s != *l.lit {
		return false
	}
	for _, re := range l.match {
		if !re.MatchString(s) {
			return false
		}
	}
	for _, re := range l.notMatch {
		if re.MatchString(s) {
			return false
		}
	}
	for _, layout := range l.layouts {
		if _, err := time.ParseInLocation(layout, s, time.UTC); err != nil {
			return false
		}
	}
	if len(l.oneOf) == 0 {
		return true
	}
	for i := range l.oneOf {
		if l.oneOf[i].string(s) {
			return true
		}
	}
	return false
}

func (l *leaf) bool() bool { return l.kind == cue.BoolKind }

func (l *leaf) int(i int64) bool { return l.kind == cue.IntKind && i >= l.lo && i <= l.hi }

// appendProbes appends the results of l's probes on v to b; ok is false when one of them
// cannot be decided for v (the value is then kept verbatim).
func (l *leaf) appendProbes(b []byte, v any) ([]byte, bool) {
	for _, p := range l.probes {
		holds, ok := p.holds(v)
		if !ok {
			return b, false
		}
		if holds {
			b = append(b, '1')
		} else {
			b = append(b, '0')
		}
	}
	return b, true
}

// classify reads a leaf constraint made of a kind, regular expressions, integer bounds,
// time.Format layouts and disjunctions of these or of string literals from the schema value
// s (through references to definitions). Anything else gives the zero leaf.
func classify(s cue.Value) leaf {
	l := leaf{lo: math.MinInt64, hi: math.MaxInt64}
	var kinds []cue.Kind
	var ok func(v cue.Value, depth int) bool
	ok = func(v cue.Value, depth int) bool {
		if depth > 16 {
			return false
		}
		op, args := v.Expr()
		switch op {
		case cue.AndOp:
			for _, a := range args {
				if !ok(a, depth+1) {
					return false
				}
			}
			return true
		case cue.SelectorOp:
			// A definition (#Date) is schema only; any other reference may be to data.
			if len(args) != 2 {
				return false
			}
			if label, err := args[1].String(); err != nil || !strings.HasPrefix(label, "#") {
				return false
			}
			return ok(cue.Dereference(v), depth+1)
		case cue.OrOp:
			if l.oneOf != nil {
				return false // one disjunction per leaf is all the schemas need
			}
			for _, a := range args {
				arm, isArm := disjunctionArm(a)
				if !isArm {
					return false
				}
				l.oneOf = append(l.oneOf, arm)
			}
			kinds = append(kinds, cue.StringKind)
			return true
		case cue.CallOp:
			// time.Format(layout): CUE checks it with time.ParseInLocation(layout, s, UTC).
			if len(args) != 2 || fmt.Sprint(args[0]) != "time.Format" {
				return false
			}
			layout, err := args[1].String()
			if err != nil {
				return false
			}
			l.layouts = append(l.layouts, layout)
			kinds = append(kinds, cue.StringKind)
			return true
		case cue.NoOp:
			if v.IsConcrete() || len(args) != 1 {
				return false
			}
			k := v.IncompleteKind()
			switch k {
			case cue.StringKind, cue.BoolKind, cue.IntKind, cue.NumberKind:
				kinds = append(kinds, k)
				return true
			}
			return false
		case cue.RegexMatchOp, cue.NotRegexMatchOp:
			if len(args) != 1 {
				return false
			}
			p, err := args[0].String()
			if err != nil {
				return false
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return false
			}
			if op == cue.RegexMatchOp {
				l.match = append(l.match, re)
			} else {
				l.notMatch = append(l.notMatch, re)
			}
			kinds = append(kinds, cue.StringKind)
			return true
		case cue.GreaterThanEqualOp, cue.GreaterThanOp, cue.LessThanEqualOp, cue.LessThanOp:
			if len(args) != 1 || args[0].Kind() != cue.IntKind {
				return false
			}
			i, err := args[0].Int64()
			if err != nil || i == math.MinInt64 || i == math.MaxInt64 {
				return false
			}
			switch op {
			case cue.GreaterThanEqualOp:
				l.lo = max(l.lo, i)
			case cue.GreaterThanOp:
				l.lo = max(l.lo, i+1)
			case cue.LessThanEqualOp:
				l.hi = min(l.hi, i)
			case cue.LessThanOp:
				l.hi = min(l.hi, i-1)
			}
			kinds = append(kinds, cue.NumberKind)
			return true
		}
		return false
	}
	if !ok(s, 0) || len(kinds) == 0 {
		return leaf{}
	}
	kind := cue.StringKind | cue.BoolKind | cue.NumberKind
	for _, k := range kinds {
		kind &= k
	}
	switch {
	case kind == cue.StringKind && l.lo == math.MinInt64 && l.hi == math.MaxInt64:
	case kind == cue.BoolKind && l.lo == math.MinInt64 && l.hi == math.MaxInt64:
	case kind&cue.IntKind != 0 && kind&^cue.NumberKind == 0 && len(l.match)+len(l.notMatch)+len(l.layouts) == 0 && l.oneOf == nil:
		kind = cue.IntKind // int, or number: every int64 value the YAML holds is an int
	default:
		return leaf{}
	}
	l.kind = kind
	// Belt and braces: the schema value must agree that every value Go accepts is allowed
	// (CUE cannot subsume a validator such as time.Format: for those, samples must agree).
	if !l.hasLayouts() {
		if err := s.Subsume(s.Context().CompileString(l.cue())); err != nil {
			return leaf{}
		}
	}
	if !l.agreesOnSamples(s) {
		return leaf{}
	}
	return l
}

// disjunctionArm reads one arm of a disjunction: a string literal or a string leaf.
func disjunctionArm(a cue.Value) (leaf, bool) {
	if a.IsConcrete() {
		s, err := a.String()
		if err != nil {
			return leaf{}, false
		}
		return leaf{kind: cue.StringKind, lit: &s, lo: math.MinInt64, hi: math.MaxInt64}, true
	}
	arm := classify(a)
	return arm, arm.kind == cue.StringKind
}

func (l *leaf) hasLayouts() bool {
	if len(l.layouts) > 0 {
		return true
	}
	for i := range l.oneOf {
		if l.oneOf[i].hasLayouts() {
			return true
		}
	}
	return false
}

// agreesOnSamples checks l against CUE on values near its edges: its literals, dates in
// each layout, real and impossible, and a few strings and numbers.
func (l *leaf) agreesOnSamples(s cue.Value) bool {
	ctx := s.Context()
	accepts := func(x any) bool { return s.Unify(ctx.Encode(x)).Validate(cue.Concrete(true)) == nil }
	switch l.kind {
	case cue.StringKind:
		samples := []string{"", " ", "x", "15.1", "latest", "2025-06-30", "2025-02-30", "2025-6-30"}
		var add func(l *leaf)
		add = func(l *leaf) {
			if l.lit != nil {
				samples = append(samples, *l.lit, *l.lit+" ")
			}
			for _, layout := range l.layouts {
				samples = append(samples, time.Date(2025, 6, 30, 13, 4, 5, 0, time.UTC).Format(layout))
			}
			for i := range l.oneOf {
				add(&l.oneOf[i])
			}
		}
		add(l)
		for _, x := range samples {
			if l.string(x) != accepts(x) {
				return false
			}
		}
	case cue.IntKind:
		for _, x := range []int64{math.MinInt64, -1, 0, 1, 7, 30, 31, 1 << 40, math.MaxInt64, l.lo, l.hi} {
			if l.int(x) != accepts(x) {
				return false
			}
		}
	}
	return true
}

// cue renders l as CUE (for the subsumption check); l has no layouts.
func (l *leaf) cue() string {
	parts := []string{map[cue.Kind]string{cue.StringKind: "string", cue.BoolKind: "bool", cue.IntKind: "int"}[l.kind]}
	if l.lit != nil {
		parts = append(parts, fmt.Sprintf("%q", *l.lit))
	}
	for _, re := range l.match {
		parts = append(parts, fmt.Sprintf("=~%q", re.String()))
	}
	for _, re := range l.notMatch {
		parts = append(parts, fmt.Sprintf("!~%q", re.String()))
	}
	if l.lo != math.MinInt64 {
		parts = append(parts, fmt.Sprintf(">=%d", l.lo))
	}
	if l.hi != math.MaxInt64 {
		parts = append(parts, fmt.Sprintf("<=%d", l.hi))
	}
	if len(l.oneOf) > 0 {
		arms := make([]string, len(l.oneOf))
		for i := range l.oneOf {
			arms[i] = "(" + l.oneOf[i].cue() + ")"
		}
		parts = append(parts, "("+strings.Join(arms, " | ")+")")
	}
	return strings.Join(parts, " & ")
}
