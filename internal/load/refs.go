package load

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tollgate-dev/tollgate/internal/catalog"
	"github.com/tollgate-dev/tollgate/internal/finding"
	"github.com/tollgate-dev/tollgate/internal/yamlsrc"
)

var (
	scriptExts  = []string{".sh", ".ps1", ".py"}
	appleExts   = []string{".mobileconfig", ".json"}
	windowsExts = []string{".xml"}
	androidExts = []string{".json"}
)

// collectRefs follows the references an entry makes to profiles, scripts, software package
// files and other files, each resolved from the directory fleetctl resolves it from.
func (b *builder) collectRefs() {
	e := b.entry
	b.controlsRefs()
	_, pols := mapGet(e.Root, "policies")
	if pols != nil && pols.Kind == yaml.SequenceNode {
		for i, p := range pols.Content {
			path := []any{"policies", i}
			holder := e.FileAt(path)
			if _, rs := mapGet(p, "run_script"); rs != nil {
				b.fileField(holder, rs, append(slices.Clone(path), "run_script"), "path", "script", "run_script.path", scriptExts)
			}
			if _, is := mapGet(p, "install_software"); is != nil {
				b.fileField(holder, is, append(slices.Clone(path), "install_software"), "package_path", "package-ref", "install_software.package_path", nil)
			}
		}
	}
	b.softwareRefs()
	b.orgRefs()
}

// fileField checks a `key: relative/path` field of mapping m (holder is the file m is in).
func (b *builder) fileField(holder *File, m *yaml.Node, path []any, key, role, what string, exts []string) *File {
	_, v := mapGet(m, key)
	p, ok := scalarString(v)
	if !ok || p == "" {
		return nil
	}
	full := append(slices.Clone(path), key)
	f, ok := b.readTarget(holder, v, p, what, false)
	b.refs = append(b.refs, Ref{Entry: b.entry, Path: full, Role: role, Target: targetPath(f), File: f})
	if ok && exts != nil && !slices.Contains(exts, strings.ToLower(filepath.Ext(p))) {
		b.atNode(holder, v, catalog.IncludeInvalid, finding.Warning,
			fmt.Sprintf("%s %q has an extension fleetctl does not expect here (want %s)", what, p, strings.Join(exts, ", ")), "")
	}
	return f
}

// controlsRefs follows profiles, scripts and setup-experience files under controls.
func (b *builder) controlsRefs() {
	e := b.entry
	_, ctl := mapGet(e.Root, "controls")
	if ctl == nil || ctl.Kind != yaml.MappingNode {
		return
	}
	holder := e.FileAt([]any{"controls"})
	_, scripts := mapGet(ctl, "scripts")
	b.fileList(holder, scripts, []any{"controls", "scripts"}, "scripts", "script", scriptExts, true)
	for _, sec := range []struct {
		name string
		exts []string
	}{{"macos_settings", appleExts}, {"apple_settings", appleExts}, {"windows_settings", windowsExts}, {"android_settings", androidExts}} {
		_, s := mapGet(ctl, sec.name)
		for _, list := range []string{"custom_settings", "configuration_profiles"} {
			_, l := mapGet(s, list)
			b.fileList(holder, l, []any{"controls", sec.name, list}, "profiles", "profile", sec.exts, true)
		}
	}
	for _, setup := range []string{"macos_setup", "setup_experience"} {
		_, s := mapGet(ctl, setup)
		if s == nil || s.Kind != yaml.MappingNode {
			continue
		}
		base := []any{"controls", setup}
		for _, k := range []string{"script", "macos_script"} {
			b.fileField(holder, s, base, k, "script", setup+"."+k, scriptExts)
		}
		for _, k := range []string{"macos_setup_assistant", "apple_setup_assistant"} {
			b.fileField(holder, s, base, k, "setup-assistant", setup+"."+k, []string{".json"})
		}
	}
}

// fileList follows a list of `- path:`/`- paths:` entries (or, in the old format, bare strings).
func (b *builder) fileList(holder *File, list *yaml.Node, path []any, what, role string, exts []string, unique bool) {
	if list == nil || list.Kind != yaml.SequenceNode {
		return
	}
	seen := map[string]string{}
	for i, item := range list.Content {
		itemPath := append(slices.Clone(path), i)
		var files []*File
		if s, ok := scalarString(item); ok && item.Kind == yaml.ScalarNode {
			f, ok := b.readTarget(holder, item, s, singular(what)+" file", false)
			b.refs = append(b.refs, Ref{Entry: b.entry, Path: itemPath, Role: role, Target: targetPath(f), File: f})
			if ok {
				files = append(files, f)
			}
		} else {
			refsBefore := len(b.refs)
			fs, isRef := b.expandItem(holder, item, what, itemPath, exts, unique)
			if !isRef && item.Kind == yaml.MappingNode {
				_, pv := mapGet(item, "name")
				if pv == nil {
					b.atNode(holder, item, catalog.IncludeInvalid, finding.Error,
						fmt.Sprintf("%s entry has no \"path\" or \"paths\"", singular(what)), "check for a stray \"-\" in the list")
				}
				continue
			}
			for j := refsBefore; j < len(b.refs); j++ {
				b.refs[j].Role = role
			}
			files = fs
			if _, pv := mapGet(item, "path"); pv != nil && len(fs) == 1 {
				if p, _ := scalarString(pv); !slices.Contains(exts, strings.ToLower(filepath.Ext(p))) {
					b.atNode(holder, pv, catalog.IncludeInvalid, finding.Error,
						fmt.Sprintf("%s %q must have one of the extensions %s", singular(what), p, strings.Join(exts, ", ")), "")
				}
			}
		}
		if unique {
			for _, f := range files {
				base := filepath.Base(f.Path)
				if prev, dup := seen[base]; dup && prev != f.Path {
					b.atNode(holder, itemNode(item), catalog.IncludeInvalid, finding.Error,
						fmt.Sprintf("duplicate %s file name %q (%s and %s): Fleet identifies %s by file name", singular(what), base, prev, f.Path, what), "")
				}
				seen[base] = f.Path
			}
		}
	}
}

func itemNode(item *yaml.Node) *yaml.Node {
	if item.Kind == yaml.MappingNode && len(item.Content) > 1 {
		return item.Content[1]
	}
	return item
}

// softwareRefs follows software package files and the scripts and icons of software items.
func (b *builder) softwareRefs() {
	e := b.entry
	_, sw := mapGet(e.Root, "software")
	if sw == nil || sw.Kind != yaml.MappingNode {
		return
	}
	_, pkgs := mapGet(sw, "packages")
	if pkgs != nil && pkgs.Kind == yaml.SequenceNode {
		for i, item := range pkgs.Content {
			path := []any{"software", "packages", i}
			_, pv := mapGet(item, "path")
			p, ok := scalarString(pv)
			if !ok {
				b.itemFiles(e.File, item, path)
				continue
			}
			ext := strings.ToLower(filepath.Ext(p))
			isScript := ext == ".sh" || ext == ".ps1"
			if !isScript && !slices.Contains(yamlExts, ext) {
				b.atNode(e.File, pv, catalog.IncludeInvalid, finding.Error,
					fmt.Sprintf("software package path %q has unsupported extension %q; only .yml, .yaml, .sh or .ps1 files are supported", p, ext), "")
			}
			f, ok := b.readTarget(e.File, pv, p, "software package file", !isScript)
			b.refs = append(b.refs, Ref{Entry: e, Path: append(path, "path"), Role: "package", Target: targetPath(f), File: f})
			if !ok || isScript || f.Node == nil {
				continue
			}
			b.packageFile(f)
		}
	}
	for _, list := range []string{"app_store_apps", "fleet_maintained_apps"} {
		_, l := mapGet(sw, list)
		if l == nil || l.Kind != yaml.SequenceNode {
			continue
		}
		for i, item := range l.Content {
			b.itemFiles(e.File, item, []any{"software", list, i})
		}
	}
}

// itemFiles follows the script, query, icon and configuration files of one software item.
func (b *builder) itemFiles(holder *File, item *yaml.Node, path []any) {
	for _, k := range []string{"install_script", "uninstall_script", "post_install_script", "pre_install_query", "icon", "configuration"} {
		_, m := mapGet(item, k)
		if m != nil && m.Kind == yaml.MappingNode {
			role := "script"
			switch k {
			case "icon":
				role = "icon"
			case "pre_install_query":
				role = "query"
			case "configuration":
				role = "configuration"
			}
			b.fileField(holder, m, append(slices.Clone(path), k), "path", role, k+".path", nil)
		}
	}
}

// packageFile records a software package YAML file as its own document (a mapping, or a list
// of mappings) and follows the files it references, relative to its own directory.
func (b *builder) packageFile(f *File) {
	doc, err := b.packageDoc(f)
	root := doc.Root
	if err != nil {
		b.atNode(f, root, catalog.FileInvalid, finding.Error, err.Error(), "")
	}
	b.packages = append(b.packages, doc)
	if root == nil {
		return
	}
	items := []*yaml.Node{root}
	prefix := func(int) []any { return nil }
	if root.Kind == yaml.SequenceNode {
		items = root.Content
		prefix = func(i int) []any { return []any{i} }
	}
	saved := b.entry
	for i, it := range items {
		if k, v := mapGet(it, "path"); k != nil {
			nested, _ := scalarString(v)
			b.atNode(f, k, catalog.IncludeInvalid, finding.Error,
				fmt.Sprintf("nested paths are not supported: %q in %s", nested, f.Path), "")
			continue
		}
		b.itemFiles(f, it, prefix(i))
	}
	b.entry = saved
}

// packageDoc is a software package file's document, built and converted once for the run: a
// package in a shared lib/ is listed by every team, and its document is the same for each
// (which entry lists it is in the references). err is why it did not convert.
func (b *builder) packageDoc(f *File) (*Doc, error) {
	f.pkgOnce.Do(func() {
		root := docRoot(f.Node)
		doc := &Doc{File: f, Root: root, owners: map[*yaml.Node]*File{}}
		lim := b.files.limits
		doc.rebuild = func() (*yaml.Node, map[*yaml.Node]*File) {
			node, _ := yamlsrc.Parse(f.Data, lim)
			return docRoot(node), map[*yaml.Node]*File{}
		}
		if v, err := yamlsrc.ToAny(f.Node, lim.MaxNodes); err != nil {
			f.pkgErr = err
		} else {
			doc.Value = v
		}
		f.pkg = doc
	})
	return f.pkg, f.pkgErr
}

// orgRefs follows files referenced from org_settings (EULA, logos).
func (b *builder) orgRefs() {
	e := b.entry
	_, org := mapGet(e.Root, "org_settings")
	if org == nil {
		return
	}
	holder := e.FileAt([]any{"org_settings"})
	_, mdm := mapGet(org, "mdm")
	b.fileField(holder, mdm, []any{"org_settings", "mdm"}, "end_user_license_agreement", "eula", "end_user_license_agreement", []string{".pdf"})
	_, info := mapGet(org, "org_info")
	for _, k := range []string{"org_logo_path_dark_mode", "org_logo_path_light_mode"} {
		b.fileField(holder, info, []any{"org_settings", "org_info"}, k, "icon", k, nil)
	}
}
