package model

import (
	"bytes"
	"io/fs"

	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tollgate-dev/tollgate/internal/load"
)

// A secret pattern recognises one well-known credential shape in a file's raw text.
//
// Why a small set here rather than gitleaks' detector: gitleaks v8 is served by the module proxy,
// but its detect package pulls about 65 modules into the build (archive readers for 7z, rar,
// brotli, lz4 and xz, viper, lipgloss, zerolog's global logger) and ~10 MB into the binary, for a
// scan of a handful of YAML, plist and script files. What a Fleet GitOps repository must not hold
// is narrow and well known: enroll secrets and integration tokens (checked structurally by the
// secret-plaintext rule on the parsed YAML), private keys, and the token formats below, whose
// fixed prefixes and lengths make false positives unlikely. Generic high-entropy matching is left
// out on purpose: the rule is not suppressible, so it must not fire on UUIDs, hashes or base64
// profile data.
type secretPattern struct {
	kind  string
	re    *regexp.Regexp
	group int // the submatch holding the secret (0: the whole match)
	// anchors are literal strings one of which every match contains (in the lower-cased
	// text): the regexp only runs on files holding one, which keeps the scan linear and cheap.
	anchors []string
}

var secretPatterns = []secretPattern{
	// PEM private keys (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted) and PGP secret keys.
	{"private key", regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`), 0, []string{"private key"}},
	// GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_ + 36) and fine-grained (github_pat_ + 82).
	{"GitHub token", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36}\b`), 0, []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{"GitHub token", regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}\b`), 0, []string{"github_pat_"}},
	// Slack bot, user, app and refresh tokens; Slack incoming-webhook URLs.
	{"Slack token", regexp.MustCompile(`\bxox[bpaeors]-[0-9]{6,13}-[0-9A-Za-z-]{8,}`), 0, []string{"xox"}},
	{"Slack webhook URL", regexp.MustCompile(`https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]{16,}`), 0, []string{"hooks.slack.com"}},
	// AWS access key IDs (long-term AKIA, temporary ASIA).
	{"AWS access key", regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z2-7]{16}\b`), 0, []string{"akia", "asia"}},
	// Google API keys.
	{"Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`), 0, []string{"aiza"}},
	// A Fleet API token written next to its usual name (Fleet tokens are 44-character base64).
	{"Fleet API token", regexp.MustCompile(`(?i)\bfleet_api_token["']?\s*[:=]\s*["']?([A-Za-z0-9+/]{32,}={0,2})`), 1, []string{"fleet_api_token"}},
}

// placeholderRe marks documentation examples that have a credential's shape but are not one.
var placeholderRe = regexp.MustCompile(`(?i)example|xxxxxxxx|0000000000|1234567890abcdef`)

// maxSecretScan bounds the bytes scanned per file (profiles and YAML are small; a large file
// is most likely data).
const maxSecretScan = 4 << 20

// ScanSecrets finds credential-shaped text in every file read. Only where a secret is and what
// kind it is are kept, with a redacted hint (at most a 4-character prefix and the length): the
// value itself never enters the model, so no rule or report can leak it.
func ScanSecrets(files []*load.File) []map[string]any {
	var out []map[string]any
	lp := lowerBufs.Get().(*[]byte)
	defer lowerBufs.Put(lp)
	for _, f := range files {
		data := f.Data
		if len(data) == 0 || len(data) > maxSecretScan || bytes.IndexByte(data, 0) >= 0 {
			continue // empty, too large, or binary (icons, DER-signed profiles)
		}
		// The file is matched as it is (no copy of it is made): only each match is copied out.
		*lp = asciiLower((*lp)[:0], data)
		for _, p := range secretPatterns {
			if !containsAny(*lp, p.anchors) {
				continue
			}
			for _, m := range p.re.FindAllSubmatchIndex(data, -1) {
				start, end := m[2*p.group], m[2*p.group+1]
				if start < 0 {
					continue
				}
				value := string(data[start:end])
				if p.kind != "private key" && placeholderRe.MatchString(value) {
					continue
				}
				line, col := lineColOf(data, start)
				endLine, endCol := lineColOf(data, end)
				if endLine != line {
					endCol = col + 1
				}
				out = append(out, map[string]any{
					"file": f.Path, "line": line, "col": col, "end_col": endCol,
					"kind": p.kind, "redacted": redact(value, p.kind),
				})
			}
		}
	}
	return out
}

// lowerBufs holds the buffers asciiLower writes into, one file at a time.
var lowerBufs = sync.Pool{New: func() any { b := make([]byte, 0, 8<<10); return &b }}

// asciiLower appends data with ASCII letters lower-cased: the anchors are ASCII, and a file's
// other bytes only need to keep their offsets.
func asciiLower(dst, data []byte) []byte {
	for _, c := range data {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// redact describes a secret without revealing it: its first characters when they are a
// well-known, non-secret prefix (ghp_, xoxb, AKIA...), and its length.
func redact(value, kind string) string {
	n := utf8.RuneCountInString(value)
	switch kind {
	case "private key": // the armour line names the key type and is not secret
		return strings.Trim(value, "-")
	case "Slack webhook URL":
		return "https://hooks.slack.com/… (" + strconv.Itoa(n) + " chars)"
	case "Fleet API token":
		return "a " + strconv.Itoa(n) + "-character token"
	}
	prefix := value
	if len(prefix) > 4 {
		prefix = prefix[:4]
	}
	return "\"" + prefix + "…\" (" + strconv.Itoa(n) + " chars)"
}

// lineColOf converts a byte offset to a 1-based line and character column.
func lineColOf(s []byte, off int) (int, int) {
	line := 1 + bytes.Count(s[:off], []byte("\n"))
	ls := bytes.LastIndexByte(s[:off], '\n') + 1
	return line, 1 + utf8.RuneCount(s[ls:off])
}

func containsAny(s []byte, subs []string) bool {
	for _, sub := range subs {
		if bytes.Contains(s, []byte(sub)) {
			return true
		}
	}
	return false
}

// maxOtherFiles bounds the walk for files the configuration does not reach.
const maxOtherFiles = 50_000

// otherFiles returns the repository's files that loading did not read (READMEs, workflows,
// scripts no team uses, notes), so the secret scan covers the whole repository as the issue of
// plaintext credentials requires, not only the configuration. Version-control and dependency
// directories are skipped, and so are files too large to be configuration. fsys is the
// repository (load.Repo.FS), dirs are names in it.
func otherFiles(fsys fs.FS, dirs []string, read []*load.File) []*load.File {
	seen := make(map[string]bool, len(read))
	for _, f := range read {
		seen[f.Path] = true
	}
	var out []*load.File
	count := 0
	walk := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor", ".tollgate":
				return fs.SkipDir
			}
			return nil
		}
		count++
		if count > maxOtherFiles {
			return fs.SkipAll
		}
		if !d.Type().IsRegular() || seen[p] {
			return nil // symlinks are not followed
		}
		if fi, err := d.Info(); err != nil || fi.Size() > maxSecretScan {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil
		}
		out = append(out, &load.File{Path: p, Data: data})
		return nil
	}
	for _, d := range dirs {
		fs.WalkDir(fsys, d, walk)
	}
	return out
}

// ScanOtherFiles scans the files of the GitOps directory and CI workflows that loading did not
// read (see otherFiles) for secrets; call it once every entry has been read.
func ScanOtherFiles(repo *load.Repo) []map[string]any {
	fsys := repo.FS()
	return ScanSecrets(otherFiles(fsys, gitopsDirs(fsys, repo), repo.Files()))
}

// gitopsDirs are the directories whose files are scanned beyond those the configuration
// reaches: the GitOps directory itself (where the entry files are, which in a monorepo is a
// subdirectory, not the whole repository) and the repository's CI workflows.
func gitopsDirs(fsys fs.FS, repo *load.Repo) []string {
	base := ""
	for _, e := range repo.Entries {
		d := path.Dir(e.File.Path)
		if b := path.Base(d); b == "teams" || b == "fleets" {
			d = path.Dir(d)
		}
		for base != "" && base != "." && base != d && !strings.HasPrefix(d, base+"/") {
			base = path.Dir(base)
		}
		if base == "" {
			base = d
		}
	}
	if base == "" {
		return nil
	}
	dirs := []string{base}
	if base != "." {
		if fi, err := fs.Stat(fsys, ".github"); err == nil && fi.IsDir() {
			dirs = append(dirs, ".github")
		}
	}
	return dirs
}

// LooksSecret reports whether s holds credential-shaped text (the patterns ScanSecrets finds),
// so a value can be hidden before it is shown anywhere (the change review's old and new values).
func LooksSecret(s string) bool {
	lower := strings.ToLower(s)
	for _, p := range secretPatterns {
		for _, a := range p.anchors {
			if strings.Contains(lower, a) {
				if p.re.MatchString(s) && !placeholderRe.MatchString(s) {
					return true
				}
				break
			}
		}
	}
	return false
}
