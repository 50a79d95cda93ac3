package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CheckGitHubSARIF checks what GitHub code scanning requires beyond the SARIF schema, which
// accepts several things GitHub rejects or misreads (engine-notes §5.5): a missing results key,
// empty texts, a numeric security-severity, a raw space in a URI. It returns every problem found,
// joined; nil means the file should upload. The SARIF tests run it on every report they make.
func CheckGitHubSARIF(data []byte) error {
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string           `json:"name"`
					Rules []map[string]any `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results *[]map[string]any `json:"results"`
		} `json:"runs"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not SARIF JSON: %w", err)
	}
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if gz := gzipSize(data); gz > sarifMaxGzipBytes {
		bad("%d bytes gzipped, over GitHub's %d", gz, sarifMaxGzipBytes)
	}
	if doc.Version != "2.1.0" {
		bad("version %q, want 2.1.0", doc.Version)
	}
	if len(doc.Runs) != 1 {
		return errors.Join(append(errs, fmt.Errorf("%d runs, want exactly 1", len(doc.Runs)))...)
	}
	run := doc.Runs[0]
	if run.Tool.Driver.Name == "" {
		bad("tool.driver.name is empty")
	}
	rules := run.Tool.Driver.Rules
	if rules == nil {
		bad("tool.driver.rules is missing")
	}
	if len(rules) > sarifMaxRules {
		bad("%d rules, over GitHub's %d", len(rules), sarifMaxRules)
	}
	for i, r := range rules {
		at := fmt.Sprintf("rules[%d]", i)
		if id, _ := r["id"].(string); id == "" {
			bad("%s: empty id", at)
		}
		for _, k := range []string{"shortDescription", "fullDescription", "help"} {
			m, _ := r[k].(map[string]any)
			text, _ := m["text"].(string)
			if n := utf8.RuneCountInString(text); n == 0 || n > 1024 {
				bad("%s.%s.text has %d characters, want 1-1024", at, k, n)
			}
		}
		if name, _ := r["name"].(string); utf8.RuneCountInString(name) > 255 {
			bad("%s.name is over 255 characters", at)
		}
		if dc, ok := r["defaultConfiguration"].(map[string]any); ok && !validLevel(dc["level"]) {
			bad("%s.defaultConfiguration.level %v", at, dc["level"])
		}
		props, _ := r["properties"].(map[string]any)
		if tags, _ := props["tags"].([]any); len(tags) > 10 {
			bad("%s has %d tags; GitHub shows 10", at, len(tags))
		}
		if ss, present := props["security-severity"]; present {
			s, isString := ss.(string)
			v, err := strconv.ParseFloat(s, 64)
			if !isString || err != nil || v <= 0 || v > 10 {
				bad("%s: security-severity %v must be a string in (0, 10]", at, ss)
			}
		}
	}

	if run.Results == nil {
		return errors.Join(append(errs, errors.New("results is missing (GitHub needs [] to close fixed alerts)"))...)
	}
	if n := len(*run.Results); n > sarifMaxResults {
		bad("%d results, over GitHub's %d", n, sarifMaxResults)
	}
	for i, res := range *run.Results {
		at := fmt.Sprintf("results[%d]", i)
		msg, _ := res["message"].(map[string]any)
		if text, _ := msg["text"].(string); strings.TrimSpace(text) == "" {
			bad("%s: empty message.text", at)
		}
		if lv, present := res["level"]; present && !validLevel(lv) {
			bad("%s: level %v", at, lv)
		}
		id, _ := res["ruleId"].(string)
		idx, err := strconv.Atoi(fmt.Sprint(res["ruleIndex"]))
		if err != nil || idx < 0 || idx >= len(rules) || rules[idx]["id"] != id {
			bad("%s: ruleIndex %v does not point at rule %q", at, res["ruleIndex"], id)
		}
		locs, _ := res["locations"].([]any)
		if len(locs) != 1 {
			bad("%s: %d locations, want 1", at, len(locs))
			continue
		}
		loc, _ := locs[0].(map[string]any)
		pl, _ := loc["physicalLocation"].(map[string]any)
		al, _ := pl["artifactLocation"].(map[string]any)
		uri, _ := al["uri"].(string)
		if err := checkRelativeURI(uri); err != nil {
			bad("%s: uri %q: %v", at, uri, err)
		}
		region, _ := pl["region"].(map[string]any)
		if line, err := strconv.Atoi(fmt.Sprint(region["startLine"])); err != nil || line < 1 {
			bad("%s: startLine %v, want >= 1", at, region["startLine"])
		}
	}
	return errors.Join(errs...)
}

func validLevel(v any) bool {
	s, _ := v.(string)
	return s == "note" || s == "warning" || s == "error"
}

// checkRelativeURI wants a repo-relative, forward-slash, percent-encoded path without "..".
func checkRelativeURI(uri string) error {
	switch {
	case uri == "":
		return errors.New("empty")
	case strings.HasPrefix(uri, "/") || strings.Contains(strings.SplitN(uri, "/", 2)[0], ":"):
		return errors.New("not relative")
	case strings.Contains(uri, `\`):
		return errors.New("backslash")
	case strings.ContainsAny(uri, " \t\"<>{}|^`") || strings.ContainsFunc(uri, func(r rune) bool { return r > 0x7e || r < 0x21 }):
		return errors.New("not percent-encoded")
	}
	for seg := range strings.SplitSeq(uri, "/") {
		if seg == ".." {
			return errors.New(`contains ".."`)
		}
	}
	return nil
}
