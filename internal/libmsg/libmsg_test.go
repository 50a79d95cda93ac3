package libmsg

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"go.yaml.in/yaml/v3"
)

// TestTexts makes the libraries produce each message of the table and checks that its entry
// recognises it (and, where tollgate reads them, the arguments' shape). A failing subtest
// names the entry whose wording the library changed.
func TestTexts(t *testing.T) {
	cases := map[*Text]func(t *testing.T) string{
		CUEFieldNotAllowed: func(t *testing.T) string {
			return cueFormat(t, "#D: {a?: int}\nx: #D & {b: 1}", nil)
		},
		CUECustom: func(t *testing.T) string {
			return cueFormat(t, `x: error("the text")`, func(args []any) error {
				return wantArgs(args, "the text")
			})
		},
		CUERequired: func(t *testing.T) string {
			return cueFormat(t, "x: {a!: int, b: 1}", nil)
		},
		CUEEmptyDisjunction: func(t *testing.T) string {
			return cueFormat(t, `x: (int | bool) & "s"`, nil)
		},
		CUEMismatchedTypes: func(t *testing.T) string {
			return cueFormat(t, `x: int & "s"`, func(args []any) error {
				return wantArgs(args, "int", `"s"`, "int", "string")
			})
		},
		CUEConflictingValues: func(t *testing.T) string {
			return cueFormat(t, `x: "a" & "c"`, func(args []any) error {
				return wantArgs(args, `"c"`, `"a"`)
			})
		},
		CUEOutOfBound: func(t *testing.T) string {
			// The schema stages turn the last argument into words (or a pattern): each operator
			// as CUE writes it.
			for bound, value := range map[string]string{">=1": "0", "<=30": "31", ">1": "1", "<1": "1", `!=""`: `""`, `=~"^a"`: `"b"`} {
				cueFormat(t, "x: ("+bound+") & "+value, func(args []any) error {
					if len(args) < 2 || fmt.Sprint(args[len(args)-1]) != bound {
						return fmt.Errorf("the last argument is not the bound %s: %q", bound, args)
					}
					return nil
				})
			}
			return cueFormat(t, "x: (>=1 & int) & 0", nil)
		},
		CUEDoesNotSatisfy: func(t *testing.T) string {
			return cueFormat(t, "import \"time\"\nx: time.Format(\"2006-01-02\") & \"2025-02-30\"", func(args []any) error {
				if len(args) < 2 || fmt.Sprint(args[1]) != `time.Format("2006-01-02")` {
					return fmt.Errorf("the second argument is not the validator: %q", args)
				}
				return nil
			})
		},
		YAMLPrefix: func(t *testing.T) string {
			return yamlError(t, "a: [1, 2\n")
		},
		YAMLPosition: func(t *testing.T) string {
			text := yamlError(t, "a:\n  b: 1\n c: 2\n")
			if line, col, msg, ok := SplitYAMLPosition(text); !ok || line != "2" || col != "" || msg != "did not find expected key" {
				t.Errorf("SplitYAMLPosition(%q) = %q, %q, %q, %v", text, line, col, msg, ok)
			}
			return text
		},
		YAMLDocumentStart: func(t *testing.T) string {
			return yamlError(t, " name: x\npolicies:\n")
		},
		YAMLNoNodeContent: func(t *testing.T) string {
			return yamlMessage(t, "a: [\n")
		},
		YAMLFlowNotClosed: func(t *testing.T) string {
			return yamlMessage(t, "a: [1, 2\nb: 3\n")
		},
		YAMLExpectedKey: func(t *testing.T) string {
			return yamlMessage(t, "a:\n  b: 1\n c: 2\n")
		},
		YAMLExpectedDash: func(t *testing.T) string {
			return yamlMessage(t, "- [a]\n b\n")
		},
		YAMLTabIndent: func(t *testing.T) string {
			return yamlMessage(t, "a: b\n\t- c\n")
		},
		YAMLBadTokenStart: func(t *testing.T) string {
			return yamlMessage(t, "a:\n\tb: 1\n")
		},
		GoRootEscape: func(t *testing.T) string {
			dir := t.TempDir()
			sub := filepath.Join(dir, "sub")
			if err := os.Mkdir(sub, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "outside"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("../outside", filepath.Join(sub, "link")); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			root, err := os.OpenRoot(sub)
			if err != nil {
				t.Fatal(err)
			}
			defer root.Close()
			if _, err = root.ReadFile("link"); err == nil {
				t.Fatal("os.Root read a file through a link out of it")
			}
			return err.Error()
		},
	}
	for _, text := range All {
		t.Run(text.Name, func(t *testing.T) {
			produce, ok := cases[text]
			if !ok {
				t.Fatalf("no test produces %s's message", text.Name)
			}
			if text.Library == "" || text.Means == "" {
				t.Errorf("%s does not say whose message it is and what it recognises", text.Name)
			}
			if msg := produce(t); !text.In(msg) {
				t.Errorf("%s no longer recognises %s's message %q", text.Name, text.Library, msg)
			}
		})
	}
	if len(cases) != len(All) {
		t.Errorf("%d cases for %d entries: an entry is missing from All", len(cases), len(All))
	}
}

// TestTextsDistinct: no entry recognises another's message, so each names one case.
func TestTextsDistinct(t *testing.T) {
	samples := map[*Text]string{
		CUEFieldNotAllowed: "field not allowed", CUECustom: "%s", CUERequired: "field is required but not present",
		CUEEmptyDisjunction: "%d errors in empty disjunction:", CUEConflictingValues: "conflicting values %s and %s",
		CUEOutOfBound: "invalid value %v (out of bound %s)", CUEDoesNotSatisfy: "invalid value %s (does not satisfy %s)",
		YAMLNoNodeContent: "did not find expected node content", YAMLFlowNotClosed: "did not find expected ',' or ']'",
		YAMLExpectedKey: "did not find expected key", YAMLExpectedDash: "did not find expected '-' indicator",
	}
	for a, s := range samples {
		for _, b := range All {
			if b != a && b.In(s) && b != YAMLPrefix && b != YAMLPosition {
				t.Errorf("%s also recognises %s's message %q", b.Name, a.Name, s)
			}
		}
	}
}

// cueFormat evaluates src and returns the format of the first error at x (or anywhere) that
// check, when given, accepts for its arguments.
func cueFormat(t *testing.T, src string, check func(args []any) error) string {
	t.Helper()
	v := cuecontext.New().CompileString(src)
	err := v.Validate(cue.Concrete(true))
	if err == nil {
		t.Fatalf("%q: no error", src)
	}
	var problems []string
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		if check == nil {
			return format
		}
		if err := check(args); err != nil {
			problems = append(problems, fmt.Sprintf("%q: %v", format, err))
			continue
		}
		return format
	}
	t.Fatalf("%q: no error with the arguments tollgate reads: %v", src, problems)
	return ""
}

func wantArgs(args []any, want ...string) error {
	if len(args) != len(want) {
		return fmt.Errorf("%d arguments, want %d", len(args), len(want))
	}
	for i, w := range want {
		if got := fmt.Sprint(args[i]); got != w {
			return fmt.Errorf("argument %d is %q, want %q", i, got, w)
		}
	}
	return nil
}

// yamlError decodes the documents of src as tollgate's loader does and returns the first
// error's text.
func yamlError(t *testing.T, src string) string {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(src)))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			return err.Error()
		}
	}
}

// yamlMessage is yamlError's message after its position.
func yamlMessage(t *testing.T, src string) string {
	t.Helper()
	text := yamlError(t, src)
	_, _, msg, ok := SplitYAMLPosition(text)
	if !ok {
		t.Fatalf("%q: no position in %q", src, text)
	}
	return msg
}
