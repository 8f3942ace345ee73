// The words and enums a view is sent by the kernel at its start (the `write_states` and `vocabulary` traits;
// `thumbs`: a thumbs control's options), given to the pure modules under `node --test` as render() gives them.
// contract.json is the kernel's value: tests/unit/test_contract.py holds it equal to what Python sends.
import { readFileSync } from "node:fs";
import { useVocabulary } from "../../form/draft.js";
import { useWriteStates } from "../../shared/format.js";

export const CONTRACT = JSON.parse(readFileSync(new URL("./contract.json", import.meta.url), "utf8"));
useWriteStates(CONTRACT.write_states);
useVocabulary(CONTRACT.vocabulary);
