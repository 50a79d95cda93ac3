package tollgate.rules.k8s_secret_plaintext_test

import data.tollgate.rules.k8s_secret_plaintext

doc(d) := {"kind": "kubernetes", "documents": [object.union({"file": "s.yaml", "index": 0, "apiVersion": "v1", "kind": "Secret", "name": "db", "namespace": "", "encrypted": false}, d)]}

test_data_value if {
	fs := k8s_secret_plaintext.report with input as doc({"doc": {"data": {"password": "c2VjcmV0"}}})
	count(fs) == 1
	some f in fs
	f.path == ["data", "password"]
	f.document == 0
	not contains(f.msg, "c2VjcmV0")
}

test_string_data if {
	fs := k8s_secret_plaintext.report with input as doc({"doc": {"stringData": {"a": "x", "b": "y"}}})
	count(fs) == 2
}

test_sops_encrypted_is_fine if {
	count(k8s_secret_plaintext.report) == 0 with input as doc({"encrypted": true, "doc": {"data": {"password": "ENC[AES256_GCM,data:x]"}}})
}

test_empty_values_are_fine if {
	count(k8s_secret_plaintext.report) == 0 with input as doc({"doc": {"data": {"a": ""}, "stringData": {"b": null}}})
}

test_sealed_secret_is_fine if {
	count(k8s_secret_plaintext.report) == 0 with input as doc({"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "doc": {"spec": {"encryptedData": {"a": "AgB..."}}}})
}

test_other_group_secret_is_not_a_secret if {
	count(k8s_secret_plaintext.report) == 0 with input as doc({"apiVersion": "example.com/v1", "doc": {"data": {"a": "b"}}})
}
