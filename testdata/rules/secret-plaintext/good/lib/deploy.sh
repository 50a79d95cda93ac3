#!/bin/sh
curl -H "Authorization: token $FLEET_SECRET_GITHUB_TOKEN" https://api.github.com/user
