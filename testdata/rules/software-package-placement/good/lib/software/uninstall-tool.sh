#!/bin/sh
set -eu
echo uninstall
