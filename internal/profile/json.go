package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// DDM declaration types Fleet refuses (server/fleet/apple_mdm.go, ValidateUserProvided).
const (
	ddmOSUpdates     = "com.apple.configuration.softwareupdate.enforcement.specific"
	ddmSubscriptions = "com.apple.configuration.management.status-subscriptions"
	// ddmIdentifierMax is MDMAppleDeclarationIdentifierMaxLen as reported (unconfirmed): a warning.
	ddmIdentifierMax = 64
)

// ddmAssetTypes need an asset reference, which Fleet cannot provide (ForbiddenDeclTypes).
var ddmAssetTypes = map[string]bool{
	"com.apple.configuration.account.caldav":               true,
	"com.apple.configuration.account.carddav":              true,
	"com.apple.configuration.account.exchange":             true,
	"com.apple.configuration.account.google":               true,
	"com.apple.configuration.account.ldap":                 true,
	"com.apple.configuration.account.mail":                 true,
	"com.apple.configuration.screensharing.connection":     true,
	"com.apple.configuration.security.certificate":         true,
	"com.apple.configuration.security.identity":            true,
	"com.apple.configuration.security.passkey.attestation": true,
	"com.apple.configuration.services.configuration-files": true,
	"com.apple.configuration.watch.enrollment":             true,
}

// jsonKeys are the key positions a JSON profile needs: the top-level object's keys and the keys
// of the object under one top-level key (DDM's "Payload").
type jsonKeys struct {
	top, inner map[string]Pos
	innerStart Pos
	hasInner   bool
	dups       []dupKey
}

type dupKey struct {
	name string
	pos  Pos
}

type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

// scanJSON walks the tokens of a JSON document once, under the depth and token limits, and
// records key positions. A key's position is its opening quote: the decoder's offset before a
// token is just after the previous token, so separators and spaces are skipped forward.
func scanJSON(data []byte, li *lineIndex, nested string) (*jsonKeys, error) {
	k := &jsonKeys{top: map[string]Pos{}, inner: map[string]Pos{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	type frame struct {
		object  bool
		wantKey bool
		key     string // the key whose value is being read (objects only)
	}
	var stack []frame
	start := func(off int) int {
		for off < len(data) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		return off
	}
	for tokens := 0; ; tokens++ {
		off := int(dec.InputOffset())
		if tokens > MaxTokens {
			return nil, &jsonError{off, fmt.Sprintf("more than %d JSON tokens", MaxTokens)}
		}
		tok, err := dec.Token()
		if err == io.EOF {
			if len(stack) > 0 {
				return nil, &jsonError{len(data), "unexpected end of JSON input"}
			}
			return k, nil
		}
		if err != nil {
			var se *json.SyntaxError
			if errors.As(err, &se) {
				return nil, &jsonError{int(se.Offset), se.Error()}
			}
			return nil, &jsonError{int(dec.InputOffset()), err.Error()}
		}
		if len(stack) == 0 && tokens > 0 {
			return nil, &jsonError{start(off), "invalid character after the top-level value"}
		}
		depth := len(stack)
		if depth > 0 {
			f := &stack[depth-1]
			if f.object && f.wantKey {
				if d, ok := tok.(json.Delim); ok && d == '}' {
					stack = stack[:depth-1]
					continue
				}
				name, _ := tok.(string)
				pos := li.pos(start(off))
				var into map[string]Pos
				switch {
				case depth == 1:
					into = k.top
				case depth == 2 && nested != "" && stack[0].key == nested:
					into = k.inner
				}
				if into != nil {
					if _, dup := into[name]; dup {
						k.dups = append(k.dups, dupKey{name, pos})
					} else {
						into[name] = pos
					}
				}
				f.key, f.wantKey = name, false
				continue
			}
			if f.object {
				f.wantKey = true // this token is the value of f.key
			}
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				if depth >= MaxDepth {
					return nil, &jsonError{off, fmt.Sprintf("values nested deeper than %d", MaxDepth)}
				}
				if d == '{' && depth == 1 && nested != "" && stack[0].key == nested {
					k.innerStart, k.hasInner = li.pos(start(off)), true
				}
				stack = append(stack, frame{object: d == '{', wantKey: d == '{'})
			case ']':
				stack = stack[:depth-1]
			}
		}
	}
}

// decodeJSON decodes into plain values: integers as int64 (float64 beyond its range), other
// numbers as float64.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return plainJSON(v), nil
}

func plainJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = plainJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = plainJSON(e)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) {
			return x.String() // out of float range: keep the text rather than invent a value
		}
		return f
	}
	return v
}

// topLevelJSONKeys lists the keys of a top-level JSON object (for format detection only).
func topLevelJSONKeys(data []byte) ([]string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil, false
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys, true
}

// parseJSONObject is the part DDM and Android share.
func parseJSONObject(p *Profile, data []byte, nested string) (map[string]any, *jsonKeys, *lineIndex, bool) {
	if !p.checkText(data) {
		return nil, nil, nil, false
	}
	li := newLineIndex(data)
	if len(bytes.TrimSpace(data)) == 0 {
		p.errorf(Pos{1, 1}, "json-syntax", "the file is empty: want a JSON object")
		return nil, nil, nil, false
	}
	keys, err := scanJSON(data, li, nested)
	if err != nil {
		var je *jsonError
		errors.As(err, &je)
		p.errorf(li.pos(je.off), "json-syntax", "invalid JSON: %s", je.msg)
		return nil, nil, nil, false
	}
	v, err := decodeJSON(data)
	if err != nil { // the scan accepted it, so this is unexpected; still report, never pass
		p.errorf(Pos{1, 1}, "json-syntax", "invalid JSON: %v", err)
		return nil, nil, nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		p.errorf(li.pos(len(data)-len(bytes.TrimLeft(data, " \t\r\n"))), "json-not-object", "want a JSON object at the top level")
		return nil, nil, nil, false
	}
	for _, d := range keys.dups {
		p.warnf(d.pos, "json-duplicate-key", "key %q appears twice: the last one wins", d.name)
	}
	p.Keys = keys.top
	return obj, keys, li, true
}

func parseDDM(p *Profile, data []byte) {
	// Fleet names a declaration after its file, as it does Windows and Android profiles.
	p.Name = baseName(p.File)
	obj, keys, _, ok := parseJSONObject(p, data, "Payload")
	if !ok {
		return
	}
	at := func(k string) Pos {
		if pos, ok := keys.top[k]; ok {
			return pos
		}
		return Pos{1, 1}
	}
	typ, typeIsString := obj["Type"].(string)
	ident, identIsString := obj["Identifier"].(string)
	p.Identifier = ident
	switch {
	case obj["Type"] == nil:
		p.errorf(at("Type"), "ddm-missing-type", "the declaration has no Type")
	case !typeIsString:
		p.errorf(at("Type"), "ddm-missing-type", "Type must be a string")
	case typ == ddmOSUpdates:
		p.errorf(at("Type"), "ddm-os-updates", "declaration profile can't include OS updates settings (%s): use controls.macos_updates, ios_updates or ipados_updates", typ)
	case ddmAssetTypes[typ]:
		p.errorf(at("Type"), "ddm-type-forbidden", "%s needs an asset reference: Fleet supports only configuration declarations that don't", typ)
	case typ == ddmSubscriptions:
		p.errorf(at("Type"), "ddm-type-forbidden", "declaration profile can't include status subscriptions (%s): use queries and policies", typ)
	case !strings.HasPrefix(typ, "com.apple.configuration"):
		p.errorf(at("Type"), "ddm-type-not-configuration", "Type %q: Fleet supports only configuration declarations (com.apple.configuration.*)", typ)
	}
	switch {
	case obj["Identifier"] == nil || (identIsString && strings.TrimSpace(ident) == ""):
		p.errorf(at("Identifier"), "ddm-missing-identifier", "the declaration has no Identifier")
	case !identIsString:
		p.errorf(at("Identifier"), "ddm-missing-identifier", "Identifier must be a string")
	case len(ident) > ddmIdentifierMax:
		p.warnf(at("Identifier"), "ddm-identifier-length", "Identifier is %d characters, over the %d Fleet is reported to allow", len(ident), ddmIdentifierMax)
	}
	pl := Payload{Type: typ, Identifier: ident, Values: map[string]any{}, Keys: keys.inner}
	pos := at("Payload")
	if keys.hasInner {
		pos = keys.innerStart
	}
	pl.Line, pl.Column = pos.Line, pos.Column
	switch v := obj["Payload"].(type) {
	case map[string]any:
		pl.Values = v
	case nil:
		p.errorf(at("Payload"), "ddm-missing-payload", "the declaration has no Payload object")
	default:
		p.errorf(at("Payload"), "ddm-missing-payload", "Payload must be an object")
	}
	p.Payloads = append(p.Payloads, pl)
}

// parseAndroid reads an Android Management API policy: one payload holding the whole object.
func parseAndroid(p *Profile, data []byte) {
	p.Name = baseName(p.File)
	obj, keys, _, ok := parseJSONObject(p, data, "")
	if !ok {
		return
	}
	p.Payloads = append(p.Payloads, Payload{Type: "android", Values: obj, Line: 1, Column: 1, Keys: keys.top})
}
