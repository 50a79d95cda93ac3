package tollgate.rules.software_package_scripts_test

import data.tollgate.rules.software_package_scripts as rule

findings(team_doc, packages) := fs if {
	fs := rule.report with input as {"teams": [{"file": "teams/t.yml", "doc": team_doc}], "packages": packages}
}

used := [{"entry": "teams/t.yml", "path": ["software", "packages", 3, "path"]}]

test_exe_in_package_file_with_query if {
	fs := findings({}, [{"file": "lib/zoom.yml", "doc": {"url": "https://zoom.us/client/latest/ZoomInstaller.exe?archType=x64"}, "used_by": used}])
	some f in fs
	f.file == "teams/t.yml"
	f.path == ["software", "packages", 3, "path"]
	contains(f.msg, "(in lib/zoom.yml) refers to an .exe package")
	contains(f.msg, "missing: install_script, uninstall_script")
}

test_tgz_inline_with_one_script if {
	doc := {"software": {"packages": [{"url": "https://x/app.tgz", "install_script": {"path": "i.sh"}}]}}
	fs := findings(doc, [])
	some f in fs
	f.path == ["software", "packages", 0, "url"]
	contains(f.msg, "a .tar.gz archive")
	contains(f.msg, "missing: uninstall_script")
}

test_list_package_file if {
	fs := findings({}, [{"file": "lib/p.yml", "doc": [{"url": "https://x/a.pkg"}, {"url": "https://x/b.tar.gz"}], "used_by": used}])
	count(fs) == 1
	some f in fs
	contains(f.msg, "https://x/b.tar.gz (in lib/p.yml)")
}

test_with_both_scripts_or_other_types_is_fine if {
	pkgs := [
		{"file": "lib/a.yml", "doc": {"url": "https://x/a.exe", "install_script": {"path": "i.ps1"}, "uninstall_script": {"path": "u.ps1"}}},
		{"file": "lib/b.yml", "doc": {"url": "https://x/b.msi"}},
		{"file": "lib/c.yml", "doc": {"url": "https://x/download?file=c.exe"}},
		{"file": "lib/d.yml", "doc": {"hash_sha256": "ab"}},
	]
	count(findings({"software": {"packages": [{"path": "../lib/a.yml"}]}}, pkgs)) == 0
}
