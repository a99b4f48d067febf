#!/usr/bin/env bash
node build/bench/lightgbm/run.js "$@"
