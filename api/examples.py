"""Example payloads for the OpenAPI document: real answers from the connected fixture wiki
(tests/fixtures/wiki_connected), shortened. tests/unit/test_api_examples.py checks each one
against its response model, so they cannot drift from the schemas."""

from __future__ import annotations


SEARCH: dict = {'query': 'papers connected to the Defense Trilemma',
 'mode': 'hybrid',
 'interpretation': {'shape': 'connected',
                    'target_types': ['Paper'],
                    'entity_text': 'the Defense Trilemma',
                    'speaker_text': None,
                    'since': None,
                    'until': None,
                    'resolutions': [{'surface': 'the Defense Trilemma',
                                     'id': 'defense-trilemma',
                                     'type': 'Concept',
                                     'name': 'The Defense Trilemma',
                                     'method': 'alias',
                                     'score': 1.0}],
                    'speaker': None},
 'data': [{'id': 'io-defense-impossibility',
           'type': 'Paper',
           'title': 'Impossibility Results for Input-Output Defenses',
           'url': 'https://arxiv.org/abs/2603.04411',
           'score': 0.899244,
           'parts': {'text': 0.0, 'graph': 1.0, 'tier': 0.5, 'recency': 0.593194},
           'paths': [{'nodes': [{'id': 'defense-trilemma', 'type': 'Concept', 'title': 'The Defense Trilemma'},
                                {'id': 'io-defense-impossibility',
                                 'type': 'Paper',
                                 'title': 'Impossibility Results for Input-Output Defenses'}],
                      'edges': [{'type': 'ABOUT', 'direction': 'in', 'properties': {}}],
                      'strength': 0.19825427},
                     {'nodes': [{'id': 'defense-trilemma', 'type': 'Concept', 'title': 'The Defense Trilemma'},
                                {'id': 'n03-regulators-impossibility',
                                 'type': 'Note',
                                 'title': 'What the impossibility proof means for regulators'},
                                {'id': 'io-defense-impossibility',
                                 'type': 'Paper',
                                 'title': 'Impossibility Results for Input-Output Defenses'}],
                      'edges': [{'type': 'CONNECTS_TO',
                                 'direction': 'in',
                                 'properties': {'reason': 'the result the post explains to policy readers'}},
                                {'type': 'MENTIONS', 'direction': 'out', 'properties': {'salience': 0.7}}],
                      'strength': 0.09253325}],
           'evidence': [{'text': 'A filter that sits in front of a language model has three jobs. It should block '
                                 'every harmful request, it should let every benign request through, and it should '
                                 'cost little enough to run on each call. The defense trilemma says you get two of the '
                                 'three.\n'
                                 '\n'
                                 'Th',
                         'path': 'raw/rss/n01-input-filters-trilemma.md',
                         'start': 426,
                         'end': 682,
                         'note_id': 'n01-input-filters-trilemma',
                         'section': 'raw 1',
                         'kind': 'raw',
                         'score': 1.0}],
           'date': '2026-02-20',
           'source': None,
           'tier': None}],
 'count': 1,
 'timings_ms': {'interpret': 50.3, 'graph': 42.2, 'rank': 13.3, 'paths': 0.4, 'evidence': 1.7, 'total': 108.1}}


CONNECTED: dict = {'entity': {'id': 'defense-trilemma', 'type': 'Concept', 'name': 'The Defense Trilemma'},
 'type': 'Paper',
 'max_hops': 3,
 'data': [{'id': 'io-defense-impossibility',
           'type': 'Paper',
           'title': 'Impossibility Results for Input-Output Defenses',
           'url': 'https://arxiv.org/abs/2603.04411',
           'score': 0.899244,
           'parts': {'text': 0.0, 'graph': 1.0, 'tier': 0.5, 'recency': 0.593194},
           'paths': [{'nodes': [{'id': 'defense-trilemma', 'type': 'Concept', 'title': 'The Defense Trilemma'},
                                {'id': 'io-defense-impossibility',
                                 'type': 'Paper',
                                 'title': 'Impossibility Results for Input-Output Defenses'}],
                      'edges': [{'type': 'ABOUT', 'direction': 'in', 'properties': {}}],
                      'strength': 0.19825427}],
           'evidence': [{'text': 'A filter that sits in front of a language model has three jobs. It should block '
                                 'every harmful request, it should let every benign request through, and it should '
                                 'cost little enough to run on each call. The defense trilemma says you get two of the '
                                 'three.\n'
                                 '\n'
                                 'Th',
                         'path': 'raw/rss/n01-input-filters-trilemma.md',
                         'start': 426,
                         'end': 682,
                         'note_id': 'n01-input-filters-trilemma',
                         'section': 'raw 1',
                         'kind': 'raw',
                         'score': 1.0}],
           'date': '2026-02-20',
           'source': None,
           'tier': None}],
 'count': 1}


RESOLVE: dict = {'name': 'defence trilema',
 'data': [{'surface': 'defence trilema',
           'id': 'defense-trilemma',
           'type': 'Concept',
           'name': 'The Defense Trilemma',
           'method': 'fuzzy',
           'score': 0.9032}],
 'count': 1}


ENTITIES: dict = {'data': [{'type': 'Concept',
           'id': 'adaptive-attacks',
           'name': 'Adaptive attacks',
           'aliases': ['adaptive attacker'],
           'has_page': True,
           'mention_count': 4,
           'degree': 9,
           'pagerank': 0.1392782628,
           'first_seen': '2026-03-02',
           'last_seen': '2026-05-01'},
          {'type': 'Concept',
           'id': 'export-controls',
           'name': 'Export controls',
           'aliases': ['chip export controls'],
           'has_page': True,
           'mention_count': 4,
           'degree': 7,
           'pagerank': 0.0551025276,
           'first_seen': '2026-01-05',
           'last_seen': '2026-05-12'}],
 'count': 7,
 'page': 1,
 'page_size': 2,
 'pages': 4}


ENTITY: dict = {'type': 'Paper',
 'id': 'layered-refusal',
 'name': 'Layered Refusal: Jailbreak Robustness Under Adaptive Attack',
 'aliases': ['Layered Refusal'],
 'external_ids': {'arxiv': '2604.08861'},
 'metrics': {'mention_count': 4,
             'degree': 5,
             'pagerank': 0.0071120023,
             'community': 3,
             'first_seen': '2026-03-20',
             'last_seen': '2026-04-12'},
 'properties': {'published': '2026-04-02'},
 'page_path': 'papers/layered-refusal.md',
 'markdown': '---\n'
             'type: Paper\n'
             'id: layered-refusal\n'
             "name: 'Layered Refusal: Jailbreak Robustness Under Adaptive Attack'\n"
             'aliases:\n'
             '- Layered Refusal\n'
             'external_ids:\n'
             "  arxiv: '2604.08861'\n"
             'about:\n'
             '- jailbreak-robustness\n'
             'published: 2026-04-02\n'
             '---\n'
             '# Layered Refusal: Jailbreak Robustness Under Adaptive Attack\n'
             '\n'
             'Stacks several refusal checks and measures what an adaptive attacker still gets through.\n',
 'neighbours': {'Concept': {'total': 1,
                            'data': [{'id': 'jailbreak-robustness',
                                      'title': 'Jailbreak robustness',
                                      'date': '2026-03-20',
                                      'relationships': [{'type': 'ABOUT',
                                                         'direction': 'out',
                                                         'salience': None,
                                                         'weight': None,
                                                         'reason': None}]}]},
                'Note': {'total': 2,
                         'data': [{'id': 'n02-layered-refusal-trilemma',
                                   'title': 'Layered refusal meets the defense trilemma',
                                   'date': '2026-03-20',
                                   'relationships': [{'type': 'CONNECTS_TO',
                                                      'direction': 'in',
                                                      'salience': None,
                                                      'weight': None,
                                                      'reason': 'the paper under review'},
                                                     {'type': 'MENTIONS',
                                                      'direction': 'in',
                                                      'salience': 0.5,
                                                      'weight': None,
                                                      'reason': None}]}]}}}


SOURCES: dict = {'data': [{'id': 'frontier-notes',
           'name': 'Frontier Notes',
           'feed_url': 'https://frontier-notes.example/feed.xml',
           'url': None,
           'tier': 1,
           'domains': ['ai-safety'],
           'poll_interval_minutes': 60,
           'notes': 10,
           'latest_note': '2026-05-25',
           'fetch': {'status': 'ok',
                     'last_fetch': '2026-06-01T08:00:12Z',
                     'last_success': '2026-06-01T08:00:12Z',
                     'error_count': 0,
                     'last_error': None,
                     'warning': None,
                     'next_check': '2026-06-01T09:04:40Z',
                     'moved_to': None}}],
 'count': 1}


STATS: dict = {'nodes': {'Concept': 7,
           'Model': 1,
           'Note': 22,
           'Organization': 1,
           'Paper': 6,
           'Person': 2,
           'PolicyEvent': 1,
           'Source': 3},
 'relationships': {'ABOUT': 8,
                   'AFFILIATED_WITH': 1,
                   'CONCERNS': 2,
                   'CONNECTS_TO': 13,
                   'MENTIONS': 67,
                   'PUBLISHED': 22,
                   'RELATED_TO': 9},
 'notes_by_tier': {'1': 10, '2': 5, '3': 7},
 'notes_by_source': {'frontier-notes': 10, 'garage-ml': 7, 'policy-digest': 5},
 'earliest_note': '2026-01-05',
 'latest_note': '2026-06-01',
 'vector_points': 122,
 'vector_entities': 18,
 'ingest': {'last_fetch': '2026-06-01T08:00:12Z',
            'last_success': '2026-06-01T08:00:12Z',
            'failing_sources': [],
            'last_job': '3f9c2d7e0b8a4c51a6e2d94f7b1c0e88'}}


JOB: dict = {'id': '3f9c2d7e0b8a4c51a6e2d94f7b1c0e88',
 'kind': 'ingest',
 'status': 'succeeded',
 'created_at': '2026-06-01T08:00:11Z',
 'started_at': '2026-06-01T08:00:11Z',
 'finished_at': '2026-06-01T08:00:19Z',
 'stage': 'sync',
 'progress': {'fetch': {'done': 3, 'total': 3}, 'summarise': {'done': 2, 'total': 2}, 'sync': {'done': 2, 'total': 2}},
 'result': {'sources_checked': 3,
            'new_posts': 2,
            'changed_posts': 0,
            'not_modified': ['garage-ml'],
            'source_errors': {},
            'notes_written': 2,
            'notes_written_ids': ['n21-serving-costs', 'n22-year-ahead-policy'],
            'notes_failed': {},
            'synced_notes': 2,
            'deleted_notes': 0,
            'synced_entities': 1,
            'unreadable_pages': [],
            'wrote_anything': True},
 'error': None}
