#!/bin/sh
set -eu
echo bootstrap
