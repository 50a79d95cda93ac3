package profile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/sharedtest"
)

const fixtures = "../../testdata/profile"

// corpora is shared/corpora, found next to the checkout (CI copies shared/ beside it).
func corpora(t testing.TB) string {
	t.Helper()
	return sharedtest.Corpora(t)
}

func parseFile(t *testing.T, path string) *Profile {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return Parse(filepath.ToSlash(path), data)
}

func problemCodes(p *Profile) string {
	var s []string
	for _, pr := range p.Problems {
		s = append(s, fmt.Sprintf("%d:%d %s %s", pr.Line, pr.Column, pr.Severity, pr.Code))
	}
	return strings.Join(s, "; ")
}

func wantProblem(t *testing.T, p *Profile, line, col int, sev finding.Severity, code string) {
	t.Helper()
	for _, pr := range p.Problems {
		if pr.Code == code && pr.Line == line && pr.Column == col && pr.Severity == sev {
			return
		}
	}
	t.Errorf("%s: want %d:%d %s %s; got %s", p.File, line, col, sev, code, problemCodes(p))
}

// Every profile in the corpora parses without an error. Two kinds of file under lib/ are not
// device profiles and are left out: enrollment profiles (*.dep.json, read by
// setup_experience.apple_setup_assistant) and fleet-it-and-security's lib/macos/commands/ (an
// MDM command plist; as a Windows .xml profile it would rightly be an error).
func TestCorpus(t *testing.T) {
	root := corpora(t)
	var n, signed int
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		inScope := strings.Contains(rel, "/lib/") || strings.HasPrefix(rel, "kitzy-fleet-gitops/platforms/")
		ext := filepath.Ext(rel)
		if !inScope || (ext != ".mobileconfig" && ext != ".json" && ext != ".xml") ||
			strings.HasSuffix(rel, ".dep.json") || strings.Contains(rel, "/lib/macos/commands/") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		p := Parse(rel, data)
		n++
		if p.Signed {
			signed++
		}
		if p.HasErrors() || len(p.Payloads) == 0 {
			t.Errorf("%s (%s): %d payloads, problems: %s", rel, p.Format, len(p.Payloads), problemCodes(p))
		} else if len(p.Problems) > 0 {
			t.Logf("%s: warnings: %s", rel, problemCodes(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 80 || signed != 2 {
		t.Errorf("parsed %d profiles, %d signed; want at least 80 and 2", n, signed)
	}
}

func TestPasscodeValues(t *testing.T) {
	root := corpora(t)

	ddm := parseFile(t, filepath.Join(root, "fleet-it-and-security/lib/macos/declaration-profiles/passcode-settings.json"))
	if ddm.Format != FormatDDM || len(ddm.Payloads) != 1 || len(ddm.Problems) != 0 {
		t.Fatalf("ddm: %s %d %s", ddm.Format, len(ddm.Payloads), problemCodes(ddm))
	}
	pl := ddm.Payloads[0]
	if pl.Type != "com.apple.configuration.passcode.settings" || ddm.Identifier != "com.fleetdm.config.passcode.settings" || ddm.Name != "passcode-settings" {
		t.Errorf("ddm type/identifier/name: %q %q %q", pl.Type, ddm.Identifier, ddm.Name)
	}
	for k, want := range map[string]any{"MinimumLength": int64(10), "MinimumComplexCharacters": int64(1), "MaximumFailedAttempts": int64(11),
		"MaximumGracePeriodInMinutes": int64(1), "MaximumInactivityInMinutes": int64(15), "RequireAlphanumericPasscode": true} {
		if pl.Values[k] != want {
			t.Errorf("ddm %s = %#v, want %#v", k, pl.Values[k], want)
		}
	}
	if pl.Keys["MinimumLength"] != (Pos{6, 9}) || pl.Line != 4 || pl.Column != 16 || ddm.Keys["Type"] != (Pos{2, 5}) {
		t.Errorf("ddm positions: MinimumLength %v, payload %d:%d, Type %v", pl.Keys["MinimumLength"], pl.Line, pl.Column, ddm.Keys["Type"])
	}

	mc := parseFile(t, filepath.Join(root, "AdamBaali-fleet-gitops/lib/macos/scripts/macos-password.mobileconfig"))
	if mc.Format != FormatMobileconfig || len(mc.Payloads) != 1 || len(mc.Problems) != 0 {
		t.Fatalf("mobileconfig: %s %s", mc.Format, problemCodes(mc))
	}
	pl = mc.Payloads[0]
	if pl.Type != "com.apple.mobiledevice.passwordpolicy" || pl.Values["minLength"] != int64(10) || pl.Values["allowSimple"] != true ||
		pl.Values["maxFailedAttempts"] != int64(11) || pl.Values["maxInactivity"] != int64(15) || pl.Values["maxGracePeriod"] != int64(1) {
		t.Errorf("mobileconfig values: %v", pl.Values)
	}
	if pl.Keys["minLength"] != (Pos{32, 4}) || pl.Line != 7 || pl.Column != 3 {
		t.Errorf("mobileconfig positions: minLength %v, payload %d:%d", pl.Keys["minLength"], pl.Line, pl.Column)
	}
	if mc.Name != "Password policy - require 10 characters" || mc.Keys["PayloadDisplayName"] != (Pos{40, 2}) {
		t.Errorf("mobileconfig name %q at %v", mc.Name, mc.Keys["PayloadDisplayName"])
	}

	helios := parseFile(t, filepath.Join(root, "Helios-IT-Management-helios-fleet-gitops/lib/ios/configuration-profiles/passcode.mobileconfig"))
	hp := helios.Payloads[0]
	if _, set := hp.Values["allowSimple"]; set || hp.Values["minLength"] != int64(6) || hp.Values["forcePIN"] != true || hp.Keys["minLength"].Line != 22 {
		t.Errorf("helios: %v %v", hp.Values, hp.Keys["minLength"])
	}

	win := parseFile(t, filepath.Join(root, "fleet-it-and-security/lib/windows/configuration-profiles/password.xml"))
	if win.Format != FormatSyncML || len(win.Payloads) != 2 || len(win.Problems) != 0 || win.Name != "password" {
		t.Fatalf("syncml: %s %d %s", win.Format, len(win.Payloads), problemCodes(win))
	}
	w := win.Payloads[0]
	if w.Type != "./Device/Vendor/MSFT/Policy/Config/DeviceLock/MinDevicePasswordLength" || w.Values["Data"] != "10" ||
		w.Values["Format"] != "int" || w.Values["Verb"] != "Replace" || w.Values["LocURI"] != w.Type {
		t.Errorf("syncml values: %v", w.Values)
	}
	if w.Line != 3 || w.Column != 3 || w.Keys["Data"] != (Pos{10, 5}) || w.Keys["LocURI"] != (Pos{8, 7}) || win.Payloads[1].Values["Data"] != "2" {
		t.Errorf("syncml positions: item %d:%d Data %v LocURI %v", w.Line, w.Column, w.Keys["Data"], w.Keys["LocURI"])
	}
}

func TestSigned(t *testing.T) {
	root := corpora(t)
	for file, typ := range map[string]string{
		"osquery-pppc.mobileconfig":    "com.apple.TCC.configuration-profile-policy",
		"unified-logging.mobileconfig": "com.apple.system.logging",
	} {
		p := parseFile(t, filepath.Join(root, "AnywhereOps-fleet-gitops/lib/macos/configuration-profiles", file))
		if !p.Signed || p.Format != FormatMobileconfig || len(p.Problems) != 0 || len(p.Payloads) != 1 {
			t.Errorf("%s: signed=%v %s", file, p.Signed, problemCodes(p))
			continue
		}
		// Both files carry PayloadDisplayName "unified-logging" (a copy-paste in the corpus).
		if p.Payloads[0].Type != typ || p.Name != "unified-logging" {
			t.Errorf("%s: %q %q", file, p.Payloads[0].Type, p.Name)
		}
		for k, pos := range p.Payloads[0].Keys {
			if pos != (Pos{1, 1}) {
				t.Errorf("%s: key %s at %v; signed profiles point at 1:1", file, k, pos)
			}
		}
	}
	// A truncated signature is a problem, not a panic and not "broken XML".
	data, _ := os.ReadFile(filepath.Join(root, "AnywhereOps-fleet-gitops/lib/macos/configuration-profiles/unified-logging.mobileconfig"))
	p := Parse("x.mobileconfig", data[:len(data)/2])
	if !p.HasErrors() || p.Problems[0].Code != "signed-syntax" {
		t.Errorf("truncated: %s", problemCodes(p))
	}
}

func TestPlaceholders(t *testing.T) {
	p := parseFile(t, filepath.Join(fixtures, "placeholders.mobileconfig"))
	if len(p.Problems) != 0 || len(p.Payloads) != 2 {
		t.Fatalf("%s", problemCodes(p))
	}
	cert := p.Payloads[0].Values
	if cert["Password"] != "$FLEET_SECRET_CERT_PASSWORD" || cert["PayloadContent"] != "${FLEET_SECRET_CERT_BASE64}" || cert["KeySize"] != "$FLEET_VAR_KEY_SIZE" {
		t.Errorf("placeholders: %v", cert)
	}
	pc := p.Payloads[1]
	if pc.Values["minLength"] != int64(15) || pc.Values["allowSimple"] != false || pc.Values["maxPINAgeInDays"] != int64(-1) {
		t.Errorf("values: %v", pc.Values)
	}
	if re, _ := pc.Values["customRegex"].(map[string]any); re["passwordContentRegex"] != "^[a-zé]+$" {
		t.Errorf("nested dict: %v", pc.Values["customRegex"])
	}
	if pc.Keys["minLength"] != (Pos{32, 4}) || p.Name != "Certificate and passcode (é)" {
		t.Errorf("minLength at %v, name %q", pc.Keys["minLength"], p.Name)
	}
	chrome := parseFile(t, filepath.Join(corpora(t), "fleet-it-and-security/lib/macos/configuration-profiles/chrome-enrollment.mobileconfig"))
	if chrome.Payloads[0].Values["CloudManagementEnrollmentToken"] != "$FLEET_SECRET_MANAGED_CHROME_ENROLLMENT_TOKEN" {
		t.Errorf("chrome: %v", chrome.Payloads[0].Values)
	}
}

func TestProblems(t *testing.T) {
	p := parseFile(t, filepath.Join(fixtures, "missing-name.mobileconfig"))
	wantProblem(t, p, 3, 1, finding.Error, "plist-missing-display-name")
	wantProblem(t, p, 23, 2, finding.Error, "plist-payload-scope")
	wantProblem(t, p, 3, 1, finding.Warning, "plist-missing-uuid")
	wantProblem(t, p, 6, 3, finding.Error, "payload-missing-type")
	wantProblem(t, p, 6, 3, finding.Error, "payload-missing-identifier")
	wantProblem(t, p, 11, 4, finding.Error, "payload-fleet-reserved")

	p = parseFile(t, filepath.Join(fixtures, "broken.mobileconfig"))
	wantProblem(t, p, 7, 28, finding.Error, "plist-syntax")

	p = parseFile(t, filepath.Join(fixtures, "billion-laughs.mobileconfig"))
	if len(p.Problems) != 1 || p.Problems[0].Code != "plist-syntax" || p.Problems[0].Line != 9 {
		t.Errorf("billion laughs: %s", problemCodes(p))
	}

	p = parseFile(t, filepath.Join(fixtures, "forbidden-ddm.json"))
	wantProblem(t, p, 2, 3, finding.Error, "ddm-os-updates")
	if p.Payloads[0].Values["TargetOSVersion"] != "14.1" {
		t.Errorf("values kept: %v", p.Payloads[0].Values)
	}

	p = parseFile(t, filepath.Join(fixtures, "bad-ddm.json"))
	wantProblem(t, p, 2, 3, finding.Error, "ddm-type-not-configuration")
	wantProblem(t, p, 1, 1, finding.Error, "ddm-missing-identifier")
	wantProblem(t, p, 5, 5, finding.Warning, "json-duplicate-key")

	p = parseFile(t, filepath.Join(fixtures, "syntax-ddm.json"))
	wantProblem(t, p, 6, 3, finding.Error, "json-syntax")

	for typ, code := range map[string]string{
		"com.apple.configuration.account.google":                  "ddm-type-forbidden",
		"com.apple.configuration.management.status-subscriptions": "ddm-type-forbidden",
		"com.apple.activation.simple":                             "ddm-type-not-configuration",
	} {
		p := Parse("d.json", []byte(`{"Type":"`+typ+`","Identifier":"i","Payload":{}}`))
		wantProblem(t, p, 1, 2, finding.Error, code)
	}

	p = parseFile(t, filepath.Join(fixtures, "verbs.xml"))
	wantProblem(t, p, 6, 5, finding.Error, "syncml-format-mismatch")
	wantProblem(t, p, 10, 3, finding.Error, "syncml-duplicate-cmdid")
	wantProblem(t, p, 12, 13, finding.Error, "syncml-reserved-locuri")
	wantProblem(t, p, 16, 1, finding.Error, "syncml-verb")
	wantProblem(t, p, 19, 1, finding.Warning, "syncml-exec")
	if len(p.Payloads) != 4 || p.Payloads[1].Values["Data"] != "$FLEET_VAR_HOST_UUID" || p.Payloads[1].Values["CmdID"] != "1" {
		t.Errorf("verbs payloads: %d %v", len(p.Payloads), p.Payloads)
	}

	p = parseFile(t, filepath.Join(fixtures, "atomic.xml"))
	if len(p.Problems) != 1 || p.Problems[0].Code != "syncml-atomic" || p.Problems[0].Severity != finding.Warning {
		t.Errorf("atomic: %s", problemCodes(p))
	}
	if len(p.Payloads) != 1 || p.Payloads[0].Values["Verb"] != "Replace" || !strings.HasPrefix(p.Payloads[0].Values["Data"].(string), "AccountLockoutDuration:30") {
		t.Errorf("atomic payload: %v", p.Payloads)
	}

	p = parseFile(t, filepath.Join(fixtures, "procinst.xml"))
	wantProblem(t, p, 1, 1, finding.Error, "syncml-procinst")
	if len(p.Payloads) != 1 || p.Payloads[0].Values["Data"] != "<enabled/>" {
		t.Errorf("procinst payload: %v", p.Payloads)
	}

	p = Parse("a.xml", []byte("<Replace><Item><Target><LocURI>x</LocURI></Target></Item></Replace><Atomic></Atomic>"))
	wantProblem(t, p, 1, 1, finding.Error, "syncml-atomic-mixed")
}

// Hostile input: each case ends in a Problem, quickly, without a panic.
func TestHostile(t *testing.T) {
	deep := strings.Repeat("<array>", 100000)
	cases := map[string][]byte{
		"huge.mobileconfig":        bytes.Repeat([]byte(" "), MaxBytes+1),
		"binary.mobileconfig":      {0x00, 0x01, 0x02, 0xff, 0xfe},
		"latin1.mobileconfig":      []byte("<?xml version=\"1.0\"?>\n<plist><dict><key>caf\xe9</key></dict></plist>"),
		"utf16.xml":                {0xff, 0xfe, '<', 0, 'R', 0},
		"bplist.mobileconfig":      []byte("bplist00\xd1\x01\x02"),
		"nodecl.mobileconfig":      []byte("<plist version=\"1.0\"><dict/></plist>"),
		"deep.mobileconfig":        []byte("<?xml version=\"1.0\"?><plist><dict><key>a</key>" + deep),
		"deep.json":                []byte(`{"Type":"com.apple.configuration.x","Payload":` + strings.Repeat("[", 100000)),
		"deep.xml":                 []byte(strings.Repeat("<Replace>", 100000)),
		"der-bomb.mobileconfig":    append([]byte{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}, bytes.Repeat([]byte{0x30, 0x80}, 200000)...),
		"empty.json":               nil,
		"array.json":               []byte("[1,2]"),
		"two-values.json":          []byte("{} {}"),
		"empty.xml":                []byte("  \n"),
		"text.xml":                 []byte("hello"),
		"unknown.txt":              []byte("just text"),
		"pem.mobileconfig":         []byte("-----BEGIN PKCS7-----\nnot base64\n-----END PKCS7-----\n"),
		"number-root.mobileconfig": []byte("<?xml version=\"1.0\"?><plist><integer>1</integer></plist>"),
	}
	for name, data := range cases {
		start := time.Now()
		p := Parse(name, data)
		if !p.HasErrors() {
			t.Errorf("%s: no error problem: %s", name, problemCodes(p))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", name, d)
		}
	}
}

// HasErrors reports whether any problem is an error.
func (p *Profile) HasErrors() bool {
	for _, pr := range p.Problems {
		if pr.Severity == finding.Error {
			return true
		}
	}
	return false
}

// Parse detects the format from the extension and the content and parses the file.
func Parse(file string, data []byte) *Profile {
	return ParseAs(file, data, "")
}
