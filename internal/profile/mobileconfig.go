package profile

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"time"

	"howett.net/plist"
)

// Fleet refuses these in custom profiles (server/mdm/apple/mobileconfig): it manages FileVault
// and its own agent configuration itself.
var (
	reservedPayloadTypes = map[string]string{
		"com.apple.MCX.FileVault2":                "the configuration profile can't include FileVault settings (use controls.enable_disk_encryption)",
		"com.apple.security.FDERecoveryKeyEscrow": "the configuration profile can't include FileVault settings (use controls.enable_disk_encryption)",
		"com.apple.security.FDERecoveryRedirect":  "unsupported PayloadType (no longer supported in macOS 10.13 and later)",
	}
	reservedPayloadIdentifiers = map[string]bool{
		"com.fleetdm.fleet.mdm.filevault": true,
		"com.fleetdm.fleetd.config":       true,
		"com.fleetdm.caroot":              true,
	}
)

// pnode is one element of a plist, with the byte offset of its '<'. plist libraries keep no
// positions, so a light token walk with encoding/xml records them.
type pnode struct {
	tag  string
	off  int
	text strings.Builder // leaf text, capped at maxLeafText
	kids []*pnode
}

const maxLeafText = 64 << 10

var plistLeaf = map[string]bool{"key": true, "string": true, "integer": true, "real": true, "date": true, "data": true}

// scanPlist walks the XML and builds the element tree. It returns the offset of the first
// syntax error. encoding/xml does not expand entities declared in a DTD, so an entity bomb
// ends as an "invalid character entity" error, in linear time.
func scanPlist(data []byte) (*pnode, int, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	root := &pnode{tag: "#document"}
	stack := []*pnode{root}
	for tokens := 0; ; tokens++ {
		off := int(dec.InputOffset())
		if tokens > MaxTokens {
			return nil, off, fmt.Errorf("more than %d XML tokens", MaxTokens)
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, off, err // the start of the token that failed
		}
		top := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) > MaxDepth {
				return nil, off, fmt.Errorf("elements nested deeper than %d", MaxDepth)
			}
			n := &pnode{tag: t.Name.Local, off: off}
			top.kids = append(top.kids, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if plistLeaf[top.tag] && top.text.Len() < maxLeafText {
				top.text.Write(t[:min(len(t), maxLeafText-top.text.Len())])
			}
		}
	}
	return root, 0, nil
}

// dictPairs pairs the <key>s of a <dict> node with their values.
func dictPairs(d *pnode) (keys []*pnode, vals []*pnode) {
	for i := 0; i+1 < len(d.kids); i += 2 {
		if d.kids[i].tag != "key" {
			break
		}
		keys, vals = append(keys, d.kids[i]), append(vals, d.kids[i+1])
	}
	return keys, vals
}

var (
	dataElem = regexp.MustCompile(`(?s)<data>(.*?)</data>`)
	numElem  = regexp.MustCompile(`<(integer|real|date)>\s*(\$\{[A-Za-z_][A-Za-z0-9_]*\}|\$[A-Za-z_][A-Za-z0-9_]*)\s*</(?:integer|real|date)>`)
	xmlDecl  = []byte("<?xml")
	bom      = []byte{0xEF, 0xBB, 0xBF}
)

// blankPlaceholders does what Fleet does before it parses a profile (it strips
// $FLEET_VAR_DIGICERT_DATA_* from <data>), generalised: placeholders in <data> are removed and
// a placeholder standing for a number or date gets a dummy value, so the plist parses. Values
// are then taken from the placeholder text (see patchPlaceholder).
func blankPlaceholders(data []byte) []byte {
	data = dataElem.ReplaceAllFunc(data, func(m []byte) []byte {
		if placeholder.Match(m) {
			return []byte("<data></data>")
		}
		return m
	})
	return numElem.ReplaceAllFunc(data, func(m []byte) []byte {
		sub := numElem.FindSubmatch(m)
		switch string(sub[1]) {
		case "date":
			return []byte("<date>2000-01-01T00:00:00Z</date>")
		default:
			return []byte("<" + string(sub[1]) + ">0</" + string(sub[1]) + ">")
		}
	})
}

func parseMobileconfig(p *Profile, data []byte) {
	t := bytes.TrimSpace(data)
	switch {
	case len(t) == 0:
		p.errorf(Pos{1, 1}, "plist-empty", "the profile is empty")
		return
	case bytes.HasPrefix(t, []byte("bplist")):
		p.errorf(Pos{1, 1}, "plist-binary", "binary property list: Fleet accepts XML profiles only (convert with plutil -convert xml1)")
		return
	case isPKCS7(t) || bytes.HasPrefix(t, []byte("-----BEGIN")):
		inner, ok := unwrapSigned(p, t)
		if !ok {
			return
		}
		p.Signed = true
		if fleetVar.Match(inner) {
			p.errorf(Pos{1, 1}, "signed-fleet-var", "a signed profile cannot contain Fleet variables ($FLEET_VAR_*): Fleet cannot substitute them without breaking the signature")
		}
		parsePlist(p, inner, nil)
		return
	}
	if !p.checkText(data) {
		return
	}
	li := newLineIndex(data)
	if !bytes.HasPrefix(t, xmlDecl) {
		// Fleet's isSignedProfile: anything not starting with "<?xml" (after trimming spaces) is
		// read as PKCS#7 and fails ("mobileconfig is not XML nor PKCS7 parseable").
		what := "does not start with <?xml"
		if bytes.HasPrefix(t, bom) {
			what = "starts with a byte-order mark"
		}
		p.errorf(li.pos(len(data)-len(bytes.TrimLeft(data, " \t\r\n"))), "plist-no-xml-declaration",
			"the profile %s: Fleet then reads it as a signed profile and rejects it", what)
	}
	parsePlist(p, data, li)
}

// parsePlist parses an XML plist. li is nil for the inner plist of a signed profile, whose
// positions point at 1:1 (the file itself is binary).
func parsePlist(p *Profile, data []byte, li *lineIndex) {
	at := func(off int) Pos {
		if li == nil {
			return Pos{1, 1}
		}
		return li.pos(off)
	}
	if li == nil && !p.checkText(data) {
		return
	}
	root, errOff, err := scanPlist(data)
	if err != nil {
		p.errorf(at(errOff), "plist-syntax", "invalid XML: %s", xmlMessage(err))
		return
	}
	var top *pnode
	for _, n := range root.kids {
		if n.tag == "plist" && len(n.kids) == 1 && n.kids[0].tag == "dict" {
			top = n.kids[0]
		} else {
			top = nil
			break
		}
	}
	if top == nil {
		pos := Pos{1, 1}
		if len(root.kids) > 0 {
			pos = at(root.kids[0].off)
		}
		p.errorf(pos, "plist-not-dict", "not a configuration profile: want one <plist> holding one <dict>")
		return
	}
	var doc any
	if err := safeUnmarshal(blankPlaceholders(data), &doc); err != nil {
		p.errorf(at(top.off), "plist-syntax", "invalid property list: %s", strings.TrimPrefix(err.Error(), "plist: "))
		return
	}
	env, ok := doc.(map[string]any)
	if !ok {
		p.errorf(at(top.off), "plist-not-dict", "not a configuration profile: the top level is not a dictionary")
		return
	}
	env = plain(env).(map[string]any)
	keys, vals := dictPairs(top)
	var content *pnode
	for i, k := range keys {
		name := k.text.String()
		p.Keys[name] = at(k.off)
		if name == "PayloadContent" {
			content = vals[i]
		}
	}
	dictPos := at(top.off)
	keyPos := func(k string) Pos {
		if pos, ok := p.Keys[k]; ok {
			return pos
		}
		return dictPos
	}

	p.Name, _ = env["PayloadDisplayName"].(string)
	p.Identifier, _ = env["PayloadIdentifier"].(string)
	if typ, _ := env["PayloadType"].(string); typ != "Configuration" {
		p.errorf(keyPos("PayloadType"), "plist-payload-type", "top-level PayloadType is %q: Fleet requires \"Configuration\"", typ)
	}
	if strings.TrimSpace(p.Identifier) == "" {
		p.errorf(keyPos("PayloadIdentifier"), "plist-missing-identifier", "the profile has no PayloadIdentifier")
	}
	if strings.TrimSpace(p.Name) == "" {
		p.errorf(keyPos("PayloadDisplayName"), "plist-missing-display-name", "the profile has no PayloadDisplayName: Fleet uses it as the profile name")
	}
	if scope, ok := env["PayloadScope"]; ok && scope != "System" && scope != "User" {
		p.errorf(keyPos("PayloadScope"), "plist-payload-scope", "PayloadScope is %v: want \"System\" or \"User\"", quoteAny(scope))
	}
	if _, ok := env["PayloadUUID"]; !ok {
		p.warnf(dictPos, "plist-missing-uuid", "the profile has no PayloadUUID")
	}
	if reservedPayloadIdentifiers[p.Identifier] {
		p.errorf(keyPos("PayloadIdentifier"), "plist-fleet-reserved", "PayloadIdentifier %q is reserved by Fleet", p.Identifier)
	}

	items, _ := env["PayloadContent"].([]any)
	if _, encrypted := env["EncryptedPayloadContent"]; encrypted && len(items) == 0 {
		p.warnf(keyPos("EncryptedPayloadContent"), "plist-encrypted", "the payloads are encrypted: they cannot be checked")
		return
	}
	if len(items) == 0 {
		p.warnf(keyPos("PayloadContent"), "plist-empty-content", "the profile has no payloads (PayloadContent is missing or empty)")
		return
	}
	if content == nil || content.tag != "array" || len(content.kids) != len(items) {
		// cannot happen when both parsers agree; stay safe rather than misplace positions
		content = &pnode{}
	}
	for i, item := range items {
		node := &pnode{off: -1}
		if i < len(content.kids) {
			node = content.kids[i]
		}
		pl := Payload{Values: map[string]any{}, Keys: map[string]Pos{}}
		pos := dictPos
		if node.off >= 0 {
			pos = at(node.off)
		}
		pl.Line, pl.Column = pos.Line, pos.Column
		m, ok := item.(map[string]any)
		if !ok {
			p.errorf(pos, "payload-not-dict", "PayloadContent item %d is not a dictionary", i+1)
			continue
		}
		pl.Values = m
		ks, vs := dictPairs(node)
		for j, k := range ks {
			name := k.text.String()
			pl.Keys[name] = at(k.off)
			patchPlaceholder(pl.Values, name, vs[j])
		}
		pl.Type, _ = m["PayloadType"].(string)
		pl.Identifier, _ = m["PayloadIdentifier"].(string)
		checkPayload(p, &pl, pos, i+1)
		p.Payloads = append(p.Payloads, pl)
	}
}

func checkPayload(p *Profile, pl *Payload, pos Pos, n int) {
	at := func(k string) Pos {
		if kp, ok := pl.Keys[k]; ok {
			return kp
		}
		return pos
	}
	if pl.Type == "" {
		p.errorf(pos, "payload-missing-type", "payload %d has no PayloadType", n)
	}
	if pl.Identifier == "" {
		p.errorf(pos, "payload-missing-identifier", "payload %d (%s) has no PayloadIdentifier", n, orDash(pl.Type))
	}
	if _, ok := pl.Values["PayloadUUID"]; !ok {
		p.warnf(pos, "payload-missing-uuid", "payload %d (%s) has no PayloadUUID", n, orDash(pl.Type))
	}
	if msg, ok := reservedPayloadTypes[pl.Type]; ok {
		p.errorf(at("PayloadType"), "payload-fleet-reserved", "%s", msg)
	}
	if reservedPayloadIdentifiers[pl.Identifier] {
		p.errorf(at("PayloadIdentifier"), "payload-fleet-reserved", "PayloadIdentifier %q is reserved by Fleet", pl.Identifier)
	}
}

// patchPlaceholder keeps a placeholder's text where blankPlaceholders put a dummy value.
func patchPlaceholder(values map[string]any, key string, v *pnode) {
	switch v.tag {
	case "integer", "real", "date", "data":
		s := strings.TrimSpace(v.text.String())
		if placeholder.MatchString(s) {
			if v.tag == "data" {
				s = placeholder.FindString(s)
			}
			values[key] = s
		}
	}
}

// safeUnmarshal runs the plist library on input our scan accepted, turning a panic (a library
// bug) into an error: one broken file must not end the run.
func safeUnmarshal(data []byte, v any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("property list parser failed: %v", r)
		}
	}()
	_, err = plist.Unmarshal(data, v)
	return err
}

// plain converts plist values into JSON-able ones.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plain(e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = plain(e)
		}
		return x
	case uint64:
		if x > math.MaxInt64 {
			return float64(x)
		}
		return int64(x)
	case float32:
		return float64(x)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return v
}

func xmlMessage(err error) string {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return se.Msg
	}
	return strings.TrimPrefix(err.Error(), "xml: ")
}

func quoteAny(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%v", v)
}

func orDash(s string) string {
	if s == "" {
		return "no type"
	}
	return s
}
