package profile

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"

	"github.com/tollgate-dev/tollgate/internal/finding"
)

// Top-level SyncML commands. Fleet accepted only <Replace> and <Add> for a long time; newer
// servers also accept one <Atomic> wrapping the whole profile, and <Exec> (for SCEP). Those two
// are warnings here (they fail on older servers); anything else is an error.
var syncmlVerbs = map[string]finding.Severity{
	"Replace": finding.SeverityNone,
	"Add":     finding.SeverityNone,
	"Atomic":  finding.Warning,
	"Exec":    finding.Warning,
}

const wrapOpen, wrapClose = "<SyncMLFragment>", "</SyncMLFragment>"

type syncItem struct {
	pl     Payload
	verb   string
	data   strings.Builder
	hasRaw bool // <Data> held elements: take its raw text
	dataAt [2]int
}

func parseSyncML(p *Profile, data []byte) {
	p.Name = baseName(p.File)
	if p.Name == "Windows OS Updates" {
		p.errorf(Pos{1, 1}, "syncml-reserved-name", "the profile name %q is reserved by Fleet", p.Name)
	}
	if !p.checkText(data) {
		return
	}
	li := newLineIndex(data)
	if len(bytes.TrimSpace(data)) == 0 {
		p.errorf(Pos{1, 1}, "syncml-empty", "the file is empty: want <Replace> or <Add> elements")
		return
	}
	src := data
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); bytes.HasPrefix(t, []byte("<?")) {
		// An XML declaration cannot sit inside the wrapper; Fleet refuses it anyway (#16316).
		start := len(data) - len(t)
		end := bytes.Index(t, []byte("?>"))
		p.errorf(li.pos(start), "syncml-procinst", "processing instructions (<?...?>) are not allowed in a Windows profile")
		if end < 0 {
			return
		}
		src = bytes.Clone(data)
		for i := start; i < start+end+2; i++ {
			if src[i] != '\n' {
				src[i] = ' '
			}
		}
	}
	// A fragment has several roots: wrap it. The wrapper adds no newline, so lines stay exact
	// and offsets shift by len(wrapOpen).
	dec := xml.NewDecoder(io.MultiReader(strings.NewReader(wrapOpen), bytes.NewReader(src), strings.NewReader(wrapClose)))
	dec.Strict = true
	shift := len(wrapOpen)
	at := func(off int) Pos { return li.pos(off - shift) }

	type elem struct {
		name string
		off  int
	}
	var (
		stack    []elem
		verbs    []elem
		item     *syncItem
		cmdIDs   = map[string]Pos{}
		topVerb  string             // the top-level command the current element is in
		innerVrb string             // the command directly holding items (Replace inside Atomic)
		verbCmd  = map[int]string{} // top-level command number -> its CmdID
	)
	for tokens := 0; ; tokens++ {
		off := int(dec.InputOffset())
		if tokens > MaxTokens {
			p.errorf(at(off), "syncml-syntax", "more than %d XML tokens", MaxTokens)
			return
		}
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			eoff := max(off, shift) // the start of the token that failed
			if eoff > len(src)+shift {
				eoff = len(src) + shift
			}
			p.errorf(at(eoff), "syncml-syntax", "invalid XML: %s", xmlMessage(err))
			return
		}
		depth := len(stack)
		switch t := tok.(type) {
		case xml.StartElement:
			if depth > MaxDepth {
				p.errorf(at(off), "syncml-syntax", "elements nested deeper than %d", MaxDepth)
				return
			}
			name := t.Name.Local
			stack = append(stack, elem{name, off})
			switch {
			case depth == 1: // a top-level command
				verbs = append(verbs, elem{name, off})
				topVerb, innerVrb = name, name
				sev, known := syncmlVerbs[name]
				switch {
				case name == "plist":
					p.errorf(at(off), "syncml-is-plist", "an Apple property list in a .xml file: Fleet reads .xml files as Windows profiles (Apple profiles must be .mobileconfig)")
				case !known:
					p.errorf(at(off), "syncml-verb", "<%s> at the top level: Windows profiles can only have <Replace> or <Add> top level elements", name)
				case sev == finding.Warning && name == "Atomic":
					p.warnf(at(off), "syncml-atomic", "<Atomic> is accepted only by newer Fleet servers (older ones allow only <Replace> and <Add>), and it must wrap the whole profile")
				case sev == finding.Warning:
					p.warnf(at(off), "syncml-exec", "<Exec> is accepted only by newer Fleet servers, for SCEP (older ones allow only <Replace> and <Add>)")
				}
			case name == "Item" && item == nil:
				item = &syncItem{verb: innerVrb}
				item.pl = Payload{Values: map[string]any{}, Keys: map[string]Pos{}}
				pos := at(off)
				item.pl.Line, item.pl.Column = pos.Line, pos.Column
			case item != nil:
				parent := stack[len(stack)-2].name
				switch {
				case name == "LocURI" && parent == "Target", name == "Format" && parent == "Meta",
					name == "Type" && parent == "Meta":
					item.pl.Keys[name] = at(off)
					item.data.Reset()
				case name == "Data" && parent == "Item":
					item.pl.Keys["Data"] = at(off)
					item.data.Reset()
					item.dataAt[0] = int(dec.InputOffset()) - shift
				case parent == "Data":
					item.hasRaw = true
				}
			case name == "CmdID":
			case depth == 2 && topVerb == "Atomic":
				innerVrb = name
				if _, known := syncmlVerbs[name]; !known || name == "Atomic" {
					p.errorf(at(off), "syncml-verb", "<%s> inside <Atomic>: want <Replace>, <Add> or <Exec>", name)
				}
			}
		case xml.EndElement:
			name := stack[depth-1].name
			if item != nil {
				text := func() string { return strings.TrimSpace(item.data.String()) }
				switch name {
				case "LocURI", "Format", "Type":
					parent := stack[depth-2].name
					_, seen := item.pl.Values[name]
					if !seen && (name == "LocURI" && parent == "Target" || name != "LocURI" && parent == "Meta") {
						item.pl.Values[name] = text()
					}
				case "Data":
					if depth >= 2 && stack[depth-2].name == "Item" {
						v := text()
						if item.hasRaw {
							v = strings.TrimSpace(string(src[item.dataAt[0] : off-shift]))
						}
						item.pl.Values["Data"] = v
					}
				case "Item":
					finishItem(p, item, verbCmd[len(verbs)])
					item = nil
				}
			}
			stack = stack[:depth-1]
		case xml.CharData:
			if depth == 1 && len(bytes.TrimSpace(t)) > 0 {
				p.errorf(at(off), "syncml-text", "text outside any element: Windows profiles can only have <Replace> or <Add> top level elements")
			}
			if depth >= 1 && stack[depth-1].name == "CmdID" {
				id := strings.TrimSpace(string(t))
				pos := at(stack[depth-1].off)
				if first, dup := cmdIDs[id]; dup {
					p.errorf(pos, "syncml-duplicate-cmdid", "CmdID %q is used twice (first at line %d): duplicate CmdIDs make Windows fail the whole profile", id, first.Line)
				} else {
					cmdIDs[id] = pos
				}
				if item == nil {
					verbCmd[len(verbs)] = id
				}
			}
			if item != nil && item.data.Len() < maxLeafText {
				item.data.Write(t[:min(len(t), maxLeafText-item.data.Len())])
			}
		case xml.ProcInst:
			p.errorf(at(off), "syncml-procinst", "processing instructions (<?...?>) are not allowed in a Windows profile")
		}
	}
	var atomic, other bool
	for _, v := range verbs {
		if v.name == "Atomic" {
			atomic = true
		} else {
			other = true
		}
	}
	if atomic && (other || len(verbs) > 1) {
		p.errorf(at(verbs[0].off), "syncml-atomic-mixed", "<Atomic> must wrap all the elements of a Windows profile")
	}
	if len(verbs) == 0 {
		p.errorf(Pos{1, 1}, "syncml-empty", "no <Replace> or <Add> element")
	}
}

// finishItem completes one <Item> as a payload and checks it.
func finishItem(p *Profile, it *syncItem, cmdID string) {
	pl := &it.pl
	pos := Pos{pl.Line, pl.Column}
	loc, _ := pl.Values["LocURI"].(string)
	for _, k := range []string{"LocURI", "Data", "Format"} {
		if _, ok := pl.Values[k]; !ok {
			pl.Values[k] = nil
		}
	}
	pl.Values["Verb"] = it.verb
	if cmdID != "" {
		pl.Values["CmdID"] = cmdID
	}
	pl.Type = loc
	if loc == "" {
		p.errorf(pos, "syncml-missing-locuri", "an <Item> without <Target><LocURI>")
	}
	if strings.Contains(loc, "/Vendor/MSFT/BitLocker") {
		p.errorf(pl.Keys["LocURI"], "syncml-reserved-locuri", "custom configuration profiles can't include BitLocker settings (use controls.enable_disk_encryption)")
	}
	format, _ := pl.Values["Format"].(string)
	dataText, hasData := pl.Values["Data"].(string)
	if hasData && !placeholder.MatchString(dataText) {
		bad := false
		switch format {
		case "int":
			_, err := strconv.ParseInt(dataText, 10, 64)
			bad = err != nil
		case "bool":
			bad = dataText != "true" && dataText != "false"
		}
		if bad {
			p.errorf(pl.Keys["Data"], "syncml-format-mismatch", "<Data>%s</Data> is not a valid %s value", dataText, format)
		}
	}
	p.Payloads = append(p.Payloads, *pl)
}
