package diff

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/model"
)

// envRefRe is a whole value that is one environment reference ($NAME or ${NAME}): fleetctl
// expands it when it applies, so the change review shows the name, never a value.
var envRefRe = regexp.MustCompile(`^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$`)

// sensitiveKeyRe are setting names whose values are credentials whatever they look like.
var sensitiveKeyRe = regexp.MustCompile(`(?i)(secret|token|password|passwd|api_?key|private_?key|credential)`)

// secretName identifies an enroll secret for people: the environment variable it is read
// from, or a fingerprint of a literal value (which the lint reports as a plaintext secret).
func secretName(v string) string {
	if m := envRefRe.FindStringSubmatch(strings.TrimSpace(v)); m != nil {
		return "$" + m[1]
	}
	return fingerprint(v)
}

// fingerprint is a short hash of a secret value: equal values match, the value can't be read
// back from it.
func fingerprint(v string) string {
	sum := sha256.Sum256([]byte(v))
	return "sha256:" + hex.EncodeToString(sum[:])[:12]
}

// render is a value as the change review shows it: JSON-like text, a secret hidden (key is
// the setting's own name, which may say it holds a credential).
func render(v any, key string) value {
	if hidden, ok := hide(v, key); ok {
		return value{text: hidden}
	}
	return value{text: text(v), raw: v}
}

// hide replaces a credential by its environment variable or a fingerprint.
func hide(v any, key string) (string, bool) {
	switch x := v.(type) {
	case string:
		if m := envRefRe.FindStringSubmatch(strings.TrimSpace(x)); m != nil && sensitiveKeyRe.MatchString(key) {
			return "$" + m[1], true
		}
		if x != "" && (sensitiveKeyRe.MatchString(key) || model.LooksSecret(x)) {
			return "(hidden, " + fingerprint(x) + ")", true
		}
	case map[string]any, []any:
		if containsSecret(v, key) {
			return "(hidden, " + fingerprint(text(v)) + ")", true
		}
	}
	return "", false
}

// containsSecret reports whether a list or mapping holds a credential anywhere.
func containsSecret(v any, key string) bool {
	switch x := v.(type) {
	case string:
		_, hidden := hide(x, key)
		return hidden && !envRefRe.MatchString(strings.TrimSpace(x))
	case map[string]any:
		for k, el := range x {
			if containsSecret(el, k) {
				return true
			}
		}
	case []any:
		for _, el := range x {
			if containsSecret(el, key) {
				return true
			}
		}
	}
	return false
}

// text writes a value compactly: strings quoted, lists and mappings as JSON with sorted keys.
func text(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return quote(x)
	case bool:
		return strconv.FormatBool(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// quote quotes a string for display, cut when long (a query of a hundred lines is shown by
// its beginning; the comparison uses the whole value).
func quote(s string) string {
	const max = 120
	if r := []rune(s); len(r) > max {
		return strconv.Quote(string(r[:max])) + "…"
	}
	return strconv.Quote(s)
}

// sortedList is a list of label names compared as a set.
func sortedList(v any) value {
	l, ok := v.([]any)
	if !ok {
		return render(v, "")
	}
	var names []string
	for _, el := range l {
		names = append(names, fmt.Sprint(el))
	}
	slices.Sort(names)
	raw := make([]any, len(names))
	for i, n := range names {
		raw[i] = n
	}
	return value{text: text(raw), raw: raw}
}
